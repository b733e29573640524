-- The operations dashboard reads one circular's progress every second: the deliveries that
-- reached a final state in the last hour (by time), and its newest failures (by state, then
-- time), without reading a large circular's whole history or every delivery.
CREATE INDEX delivery_history_by_time ON delivery_history (circular_id, at);
CREATE INDEX deliveries_by_state ON deliveries (circular_id, state, updated_at);
