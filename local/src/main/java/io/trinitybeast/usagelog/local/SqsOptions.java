package io.trinitybeast.usagelog.local;

import io.trinitybeast.usagelog.peers.LocalSqs;
import io.trinitybeast.usagelog.producer.ProducerSqsClient;
import java.net.URI;
import picocli.CommandLine.Option;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;

/** Where SQS is: a local endpoint such as the demo's ElasticMQ, or, without one, AWS itself. */
final class SqsOptions {

    @Option(names = "--sqs-endpoint",
            description = "A local SQS endpoint, e.g. http://127.0.0.1:9324 (ElasticMQ). Without it: AWS, with the default region and credentials.")
    URI endpoint;

    /** The client the price server's producer uses in production ({@link ProducerSqsClient}), pointed here. */
    SqsAsyncClient producerClient(int maxConcurrency) {
        return endpoint != null ? ProducerSqsClient.create(endpoint, LocalSqs.REGION, LocalSqs.CREDENTIALS, maxConcurrency)
                : ProducerSqsClient.create(maxConcurrency);
    }

    SqsAsyncClient client(int maxConcurrency) {
        if (endpoint != null) {
            return LocalSqs.newClient(endpoint, maxConcurrency);
        }
        return SqsAsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder().maxConcurrency(maxConcurrency))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.defaultRetryStrategy()))
                .build();
    }
}
