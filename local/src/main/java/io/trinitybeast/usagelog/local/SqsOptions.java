package io.trinitybeast.usagelog.local;

import java.net.URI;
import picocli.CommandLine.Option;

/** Where SQS is: a local endpoint such as the demo's ElasticMQ. */
final class SqsOptions {

    @Option(names = "--sqs-endpoint", required = true, description = "SQS endpoint, e.g. http://127.0.0.1:9324 (ElasticMQ).")
    URI endpoint;
}
