package io.trinitybeast.usagelog.envelope;

/** A record (one envelope or its payload) breaks the wire format; the message says which rule. */
public class InvalidRecordException extends Exception {

    private static final long serialVersionUID = 1L;

    public InvalidRecordException(String message) {
        super(message, null, false, false);
    }
}
