-- Client transaction ids of PUT /rooms/{roomId}/send/{eventType}/{txnId}, per device, with the event each created, so
-- a client retrying a request gets the same event id instead of a second event.
CREATE TABLE client_transactions (
    user_id    text   NOT NULL,
    device_id  text   NOT NULL,
    txn_id     text   NOT NULL,
    event_id   text   NOT NULL,
    created_ts bigint NOT NULL,
    PRIMARY KEY (user_id, device_id, txn_id)
);
