-- state_group_digests.lattice is 2048 bytes of sums of hashes, so each row is just over the 2 KB toast threshold:
-- every insert tried to compress the lattice and the digest (neither ever shrinks) and then moved them into the toast
-- table (more heap rows and toast index entries). Measured with perf, that was about an eighth of the database's CPU
-- in the persist benchmark. PLAIN keeps both inline and uncompressed (a row of ~2.1 KB fits a page three times); rows
-- written before this stay toasted and read as before.
ALTER TABLE state_group_digests ALTER COLUMN lattice SET STORAGE PLAIN, ALTER COLUMN digest SET STORAGE PLAIN;
