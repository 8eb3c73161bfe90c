-- Transactions received on PUT /send/{txnId}, per origin, with the response given, so a retransmission gets the same
-- answer without being processed again.
CREATE TABLE received_transactions (
    origin        text   NOT NULL,
    txn_id        text   NOT NULL,
    received_ts   bigint NOT NULL,
    -- The response body as sent (UTF-8 JSON).
    response_json bytea  NOT NULL,
    PRIMARY KEY (origin, txn_id)
);

CREATE INDEX received_transactions_received ON received_transactions (received_ts);
