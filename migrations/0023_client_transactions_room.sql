-- Client transaction ids are scoped to the room as well (Synapse keys them by the request path, which names the room):
-- the same device reusing a txnId in another room makes a new event there. Rows written before this migration get the
-- room of the event they recorded (held by the store), so a retry across the upgrade still finds its event.
ALTER TABLE client_transactions ADD COLUMN room_id text NOT NULL DEFAULT '';

UPDATE client_transactions c
SET room_id = held.room_id
FROM (
    SELECT DISTINCT ON (i.event_id) i.event_id, r.room_id
    FROM event_ids i
    JOIN events e ON e.event_nid = i.event_nid
    JOIN rooms r ON r.room_nid = i.room_nid
    ORDER BY i.event_id, i.event_nid
) held
WHERE held.event_id = c.event_id;

ALTER TABLE client_transactions ALTER COLUMN room_id DROP DEFAULT;
ALTER TABLE client_transactions DROP CONSTRAINT client_transactions_pkey;
ALTER TABLE client_transactions ADD PRIMARY KEY (user_id, device_id, room_id, txn_id);
