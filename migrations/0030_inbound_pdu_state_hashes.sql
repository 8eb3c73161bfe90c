-- What the sender of a /send asserted about the room state around a queued PDU (MSC4500's per-PDU state_hashes entry),
-- checked against our own fingerprints once the queue has processed the event. Null where nothing was asserted, or
-- where the check was already made when the transaction was answered. Digests are the 32 raw bytes.
ALTER TABLE inbound_pdus
    ADD COLUMN claimed_before   bytea  NULL CHECK (octet_length(claimed_before) = 32),
    ADD COLUMN claimed_after    bytea  NULL CHECK (octet_length(claimed_after) = 32),
    ADD COLUMN claimed_n_before bigint NULL,
    ADD COLUMN claimed_n_after  bigint NULL;
