package compliance

// Spec maps one HIPAA implementation specification (or a Privacy or Breach
// Rule workflow) to the feature that meets it and the tests that prove it.
// Tests are named package path (from the module root) and test function,
// e.g. "internal/audit.TestAppendOnlyInTheStore"; a test in this package
// fails if one does not exist.
type Spec struct {
	Ref, Name string
	Feature   string
	Tests     []string
	// Partial says what is not met yet, plainly ("" when met).
	Partial string
}

// Specs lists the HIPAA Security Rule's administrative (164.308(a)(1)–(8)),
// physical (164.310(d)) and technical (164.312(a)–(e)) safeguards, and the
// Privacy and Breach Notification workflows, in order.
func Specs() []Spec {
	return []Spec{
		{Ref: "164.308(a)(1)", Name: "Security management process (risk analysis, activity review)",
			Feature: "Tamper-evident audit log of every access; the activity review of unusual access (peers, hours, colleagues, denials, break-glass) linked to its events; the yearly risk assessment and the monthly activity review scheduled, with evidence (a note and an uploaded file, sealed, checked by content, opened only by compliance and admins, each opening audited); this report checks the running system",
			Tests: []string{"internal/audit.TestEveryMutationIsFlagged", "internal/compliance.TestReportFailsOnARequiredCheck",
				"internal/activity.TestManyPatientsAgainstPeersOfTheRole", "internal/activity.TestOffHoursAccess", "internal/activity.TestColleagueRecord",
				"internal/activity.TestRepeatedDenials", "internal/activity.TestBreakGlassUse", "internal/server.TestReviewsAndActivityPages",
				"internal/server.TestWorkingHoursInTheTenantsZone", "internal/server.TestReviewEvidenceFiles",
				"internal/compliance.TestOverdueReviewsAndOldDrillsWarn"},
			Partial: "The risk assessment itself is done outside Salve; Salve schedules it and keeps its evidence."},
		{Ref: "164.308(a)(2)", Name: "Assigned security responsibility",
			Feature: "The compliance officer role, with its own pages and no PHI by default",
			Tests:   []string{"internal/access.TestStaffMatrix"}},
		{Ref: "164.308(a)(3)", Name: "Workforce security (authorization, clearance, termination)",
			Feature: "Staff roles changed only with a second person's approval; disabling or a role change ends sessions; unused accounts disabled; every staff account's roles recertified every 90 days, or disabled",
			Tests: []string{"internal/accounts.TestDisableAndRoleChangeEndSessions", "internal/accounts.TestInactiveStaffAreDisabled",
				"internal/server.TestChangesNeedASecondPerson", "internal/server.TestRecertificationJobDisablesAnUnreviewedAccount"}},
		{Ref: "164.308(a)(4)", Name: "Information access management",
			Feature: "Deny by default: tenant, role, care relationship, proxy grant and purpose decide every PHI read",
			Tests:   []string{"internal/access.TestStaffMatrix", "internal/grants.TestCareProxyAndBreakGlass", "internal/server.TestSecurityMatrix"}},
		{Ref: "164.308(a)(5)", Name: "Security awareness and training (log-in monitoring, password management)",
			Feature: "Password policy with a breached-password list, lockout, alerts on bursts of failed sign-ins",
			Tests:   []string{"internal/auth.TestPasswordPolicy", "internal/auth.TestStaffLockout", "internal/signin.TestBurstOfFailuresAlerts"},
			Partial: "Training records are kept outside Salve."},
		{Ref: "164.308(a)(6)", Name: "Security incident procedures",
			Feature: "Break-glass access alerts and is reviewed by compliance; failed sign-in bursts alert; the incident register with the people affected selected from the audit log and the four-factor risk assessment",
			Tests: []string{"internal/web/staff.TestBreakGlassAndItsReview", "internal/signin.TestBurstOfFailuresAlerts",
				"internal/incidents.TestBreachClockAndThresholdsAt499And500"}},
		{Ref: "164.308(a)(7)", Name: "Contingency plan (backup, disaster recovery, testing)",
			Feature: "Encrypted scheduled backups with retention, verified restore, the replica drill; restore drills scheduled every 90 days and recorded with evidence",
			Tests: []string{"internal/backup.TestBackupRestoreGivesBackEveryTableExactly", "internal/backup.TestScheduledBackupsKeepTheRetentionPolicy",
				"internal/server.TestDrillReplicas", "internal/compliance.TestOverdueReviewsAndOldDrillsWarn"}},
		{Ref: "164.308(a)(8)", Name: "Evaluation",
			Feature: "This report, the change log with approvals (staff roles, retention, single sign-on, session limits, working hours, integrations' vendors, adding and switching off webhooks and their PHI, the ways to pay offered, the break-glass policy), the data-flow diagram and the scheduled reviews (BAA expiry reminders, recertification), from the live system",
			Tests: []string{"internal/compliance.TestReportFailsOnARequiredCheck", "internal/server.TestChangesNeedASecondPerson",
				"internal/server.TestGovernedIntegrationsAndWebhooks", "internal/server.TestGovernedBrandPolicies",
				"internal/compliance.TestDiagramParses", "internal/server.TestRecertificationJobDisablesAnUnreviewedAccount"}},
		{Ref: "164.310(d)", Name: "Device and media controls (disposal, re-use, backup)",
			Feature: "Crypto-shredding at disposal (also in backups), backups sealed and holding no plaintext",
			Tests: []string{"internal/backup.TestDisposalAfterRetentionIsUnreadableLiveAndAfterRestore", "internal/backup.TestBackupHoldsNoPlaintext",
				"internal/vault.TestShredAKeepsB"}},
		{Ref: "164.312(a)", Name: "Access control (unique ids, emergency access, automatic logoff, encryption)",
			Feature: "Per-person accounts, break-glass that expires (a brand may shorten it and ask for a longer reason, only with a second person's approval), idle and absolute session limits, per-subject field encryption",
			Tests: []string{"internal/access.TestBreakGlassExpires", "internal/signin.TestSessionIdleAndAbsoluteTimeouts",
				"internal/server.TestSessionLimitsChangeOnlyWithASecondPerson", "internal/server.TestGovernedBrandPolicies",
				"internal/vault.TestCiphertextOpensOnlyWhereItWasSealed"}},
		{Ref: "164.312(b)", Name: "Audit controls",
			Feature: "Append-only audit store with signed checkpoints; no plaintext without an audit event",
			Tests: []string{"internal/audit.TestAppendOnlyInTheStore", "internal/audit.TestPeriodicCheckpointsAndBadSignature",
				"internal/vault.TestFailsClosedWhenTheAuditLogFails"}},
		{Ref: "164.312(c)", Name: "Integrity",
			Feature: "Hash-chained audit log; authenticated encryption of PHI; backups verified file by file",
			Tests:   []string{"internal/audit.TestConcurrentAppendsFormOneChain", "internal/backup.TestCorruptedBackupFailsVerifyNamingTheFile"}},
		{Ref: "164.312(d)", Name: "Person or entity authentication",
			Feature: "Every staff account needs a second factor (TOTP with replay protection, passkeys)",
			Tests: []string{"internal/signin.TestStaffMustEnrolMFAAndCodesWorkOnce", "internal/auth.TestTOTPWithReplayProtection",
				"internal/server.TestSSOChangesOnlyWithASecondPerson"}},
		{Ref: "164.312(e)", Name: "Transmission security",
			Feature: "TLS on every listener but loopback; mail relays only over TLS off this machine",
			Tests: []string{"internal/server.TestRunWithTLS", "internal/notify.TestPlainSMTPOnlyToLoopback",
				"internal/server.TestTLSCertificatesFromFilesPerHost"}},
		{Ref: "Privacy Rule", Name: "Minimum necessary, disclosures, patients' access",
			Feature: "Roles see only their data classes; opening an email needs a logged reason",
			Tests: []string{"internal/server.TestLabResultsAccessMatrix", "internal/web/admin.TestOutboxShowsNoPHIUntilOpenedWithAReason",
				"internal/webhooks.TestWebhookCarriesPHIOnlyWhenApprovedWithBAA", "internal/server.TestWebhookPHIFromDomains"}},
		{Ref: "Breach Rule 164.400–414", Name: "Breach notification",
			Feature: "Incident register (Incidents): four-factor risk assessment (164.402), the 60-day clock from discovery (164.404(b)), the media threshold of more than 500 residents of a state (164.406), HHS within 60 days for 500 or more and the yearly log as CSV for fewer (164.408), individual notice letters with the content of 164.404(c) as PDF and in the portal, with an email that carries no PHI",
			Tests: []string{"internal/incidents.TestBreachClockAndThresholdsAt499And500", "internal/incidents.TestObligationsAtTheEdges",
				"internal/incidents.TestNoticesLettersAndTheHHSLog", "internal/server.TestIncidentToItsNotices", "internal/notify.TestComposeKeepsPHIOut"},
			Partial: "Substitute notice (164.404(d)(2)) for people who cannot be reached, and the media and HHS notices themselves, are given outside Salve; the register says when they are due."},
	}
}
