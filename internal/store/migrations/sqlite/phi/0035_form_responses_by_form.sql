-- Responses to one form, newest first: the staff page of a landing-page
-- form's responses (each from its own subject, a visitor).
CREATE INDEX form_responses_form ON form_responses (tenant_id, form_id, submitted_at);
