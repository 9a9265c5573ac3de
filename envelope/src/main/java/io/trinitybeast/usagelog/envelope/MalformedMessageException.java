package io.trinitybeast.usagelog.envelope;

/**
 * A whole message body is unreadable: not JSON, not an envelope or an array of envelopes. No
 * record can be recovered from it, so the writer fails that message alone.
 */
public class MalformedMessageException extends Exception {

    private static final long serialVersionUID = 1L;

    public MalformedMessageException(String message, Throwable cause) {
        super(message, cause, false, false);
    }

    public MalformedMessageException(String message) {
        this(message, null);
    }
}
