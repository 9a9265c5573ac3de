package io.trinitybeast.usagelog.producer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the AWS CRT's native runtime alive until the producer has flushed. On SIGTERM the JVM runs
 * every shutdown hook at once, the CRT's among them, and the CRT's tears down its event loops:
 * SendMessageBatch calls made by the server's own hook (closing the producer) then time out, and
 * the records they carry end as {@code close_deadline} failures. The CRT counts references to its
 * runtime; the producer holds one from start until close has finished.
 */
final class CrtShutdownGuard {

    private static final Logger log = LoggerFactory.getLogger(CrtShutdownGuard.class);

    private CrtShutdownGuard() {}

    /** True if a reference was taken (the CRT is present and loads). */
    static boolean acquire() {
        try {
            software.amazon.awssdk.crt.CRT.acquireShutdownRef();
            return true;
        } catch (LinkageError | RuntimeException e) {
            log.debug("AWS CRT not available, nothing to hold: {}", e.toString());
            return false;
        }
    }

    static void release() {
        try {
            software.amazon.awssdk.crt.CRT.releaseShutdownRef();
        } catch (LinkageError | RuntimeException e) {
            log.debug("releasing the AWS CRT reference: {}", e.toString());
        }
    }
}
