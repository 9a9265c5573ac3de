package io.trinitybeast.usagelog.writer;

import io.trinitybeast.usagelog.envelope.Envelope;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/** A handler whose database write fails once on demand, after the usage_log rows went in: a DB failing mid-batch. */
final class FailingAnalyticsStore extends AnalyticsEventStore {

    volatile boolean failNext;

    @Override
    public int write(Connection transaction, List<Envelope<AnalyticsEvent>> records) throws SQLException {
        if (failNext) {
            failNext = false;
            throw new SQLException("injected failure after other rows were written", "40001");
        }
        return super.write(transaction, records);
    }
}
