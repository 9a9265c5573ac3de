package io.trinitybeast.usagelog.writer;

import io.trinitybeast.usagelog.envelope.Envelope;
import io.trinitybeast.usagelog.envelope.PayloadCodec;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;

/**
 * Stores the records of one envelope type. A new type is one implementation and one
 * {@link RecordHandlers#register} call; the queue, the envelope and the Lambda do not change.
 *
 * <p>Contract: {@link #write} runs inside the invocation's transaction, with a fixed, small number
 * of statements whatever the number of records, and is idempotent by event id: a record whose id
 * is already stored is skipped and moves nothing.
 */
public interface RecordHandler<P> {

    /** Reads and validates this type's payload; its {@code type()} is the envelope type handled. */
    PayloadCodec<P> codec();

    /**
     * Called once per invocation, outside the transaction, before {@link #write}: for work that
     * must not hold locks in it (creating partitions).
     */
    default void prepare(Connection autocommit, List<Envelope<P>> records) throws SQLException {}

    /** Stores the records (distinct ids, sorted by id) and returns how many were new. */
    int write(Connection transaction, List<Envelope<P>> records) throws SQLException;
}
