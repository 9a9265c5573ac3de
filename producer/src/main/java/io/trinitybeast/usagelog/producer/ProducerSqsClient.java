package io.trinitybeast.usagelog.producer;

import java.net.URI;
import java.time.Duration;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.crt.AwsCrtAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.sqs.SqsAsyncClient;
import software.amazon.awssdk.services.sqs.SqsAsyncClientBuilder;

/**
 * An {@link SqsAsyncClient} set up for the producer: the AWS CRT HTTP client (it closes in
 * milliseconds where Netty's takes about two seconds, which matters on SIGTERM), and no SDK
 * retries, because the producer retries per entry itself, with its own backoff, and counts every
 * retry.
 */
public final class ProducerSqsClient {

    private ProducerSqsClient() {}

    /** For AWS: region and credentials from the default chains. */
    public static SqsAsyncClient create(int maxConcurrency) {
        return builder(maxConcurrency).credentialsProvider(DefaultCredentialsProvider.builder().build()).build();
    }

    /** For a local SQS such as ElasticMQ. */
    public static SqsAsyncClient create(URI endpoint, Region region, AwsCredentialsProvider credentials, int maxConcurrency) {
        return builder(maxConcurrency).endpointOverride(endpoint).region(region).credentialsProvider(credentials).build();
    }

    private static SqsAsyncClientBuilder builder(int maxConcurrency) {
        return SqsAsyncClient.builder()
                .httpClientBuilder(AwsCrtAsyncHttpClient.builder()
                        .maxConcurrency(maxConcurrency)
                        .connectionTimeout(Duration.ofSeconds(2)))
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    }
}
