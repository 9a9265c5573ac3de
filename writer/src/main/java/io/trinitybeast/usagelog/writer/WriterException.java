package io.trinitybeast.usagelog.writer;

/** The batch could not be written; nothing was. The Lambda fails the invocation so that every message returns. */
public class WriterException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final transient InvocationReport report;

    public WriterException(String message, Throwable cause, InvocationReport report) {
        super(message, cause);
        this.report = report;
    }

    public InvocationReport report() {
        return report;
    }
}
