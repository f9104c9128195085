-- The rest of a patient's profile (issue 16): preferred pharmacy or clinic,
-- insurance (payer, member id), emergency contact, allergies and
-- communication preferences, in one vault-sealed JSON document under the
-- person (like the name and date of birth). Nothing here is searched by, so
-- there is no blind index; NULL until the person saves their profile.
ALTER TABLE users ADD COLUMN details_ct BLOB;
