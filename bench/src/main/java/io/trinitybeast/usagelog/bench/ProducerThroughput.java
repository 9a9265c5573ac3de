package io.trinitybeast.usagelog.bench;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.trinitybeast.usagelog.envelope.UsageLog;
import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.CloseReport;
import io.trinitybeast.usagelog.producer.InMemoryParameterSource;
import io.trinitybeast.usagelog.producer.ProducerParameter;
import io.trinitybeast.usagelog.producer.UsageLogProducer;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/** Records/s the producer moves into a local SQS, for a given packing budget. */
final class ProducerThroughput {

    record Result(String label, long records, double seconds, long messages, long calls, long dropped) {
        double recordsPerSecond() {
            return records / seconds;
        }
    }

    private ProducerThroughput() {}

    static Result run(LocalSqs sqs, String label, long packBytes, long records, int senders) throws InterruptedException {
        String queueUrl = sqs.provision("throughput-" + label + "-" + System.nanoTime(), 60, 5).queueUrl();
        UsageLogProducer producer = UsageLogProducer.builder().sqs(sqs.newClient(64)).closeClient(true).queueUrl(queueUrl)
                .node("bench").meterRegistry(new SimpleMeterRegistry())
                .parameters(new InMemoryParameterSource().set(ProducerParameter.PACK_BYTES, packBytes)
                        .set(ProducerParameter.BUFFER_SIZE, Math.min(Integer.MAX_VALUE, records)))
                .start();
        UsageLog payload = new UsageLog("ak_live_abc123", "BTC", "binance", 42, "L1_MEMORY");
        long started = System.nanoTime();
        Thread[] threads = new Thread[senders];
        for (int s = 0; s < senders; s++) {
            long share = records / senders + (s < records % senders ? 1 : 0);
            threads[s] = new Thread(() -> {
                for (long i = 0; i < share; i++) {
                    producer.send(UsageLog.TYPE, payload);
                }
            });
            threads[s].start();
        }
        for (Thread thread : threads) {
            thread.join();
        }
        while (producer.stats().sent() + producer.stats().failedTotal() < producer.stats().enqueued()) {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        CloseReport report = producer.close(Duration.ofSeconds(30));
        sqs.client().purgeQueue(b -> b.queueUrl(queueUrl)).join();
        return new Result(label, report.stats().sent(), seconds, report.stats().messagesSent(), report.stats().batchCalls(),
                report.stats().dropped() + report.stats().failedTotal());
    }
}
