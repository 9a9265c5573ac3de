package io.trinitybeast.usagelog.writer;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Rows in PostgreSQL's binary COPY format (the documented {@code PGCOPY} file format): the fastest
 * way rows enter PostgreSQL, with no text parsing on the server. Only the types the writer stores.
 */
public final class BinaryCopy {

    /** Microseconds from 1970-01-01 to PostgreSQL's epoch, 2000-01-01 (UTC). */
    private static final long POSTGRES_EPOCH_MICROS = 946_684_800_000_000L;

    private final ByteArrayOutputStream bytes;
    private final DataOutputStream out;

    public BinaryCopy(int expectedRows) {
        bytes = new ByteArrayOutputStream(Math.max(64, expectedRows * 128));
        out = new DataOutputStream(bytes);
        try {
            out.writeBytes("PGCOPY\n");
            out.write(new byte[] {(byte) 0xFF, '\r', '\n', 0});
            out.writeInt(0); // flags
            out.writeInt(0); // header extension length
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public BinaryCopy row(int fields) throws IOException {
        out.writeShort(fields);
        return this;
    }

    public BinaryCopy uuid(UUID value) throws IOException {
        out.writeInt(16);
        out.writeLong(value.getMostSignificantBits());
        out.writeLong(value.getLeastSignificantBits());
        return this;
    }

    public BinaryCopy timestamptzMillis(long epochMillis) throws IOException {
        out.writeInt(8);
        out.writeLong(epochMillis * 1000 - POSTGRES_EPOCH_MICROS);
        return this;
    }

    public BinaryCopy int8(long value) throws IOException {
        out.writeInt(8);
        out.writeLong(value);
        return this;
    }

    public BinaryCopy text(String value) throws IOException {
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        out.writeInt(utf8.length);
        out.write(utf8);
        return this;
    }

    public byte[] finish() throws IOException {
        out.writeShort(-1);
        out.flush();
        return bytes.toByteArray();
    }
}
