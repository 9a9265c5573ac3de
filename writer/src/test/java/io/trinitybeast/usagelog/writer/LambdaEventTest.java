package io.trinitybeast.usagelog.writer;

import static io.trinitybeast.usagelog.writer.WriterFixture.DEC_4_2026;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.amazonaws.services.lambda.runtime.events.SQSBatchResponse;
import com.amazonaws.services.lambda.runtime.events.SQSEvent;
import com.amazonaws.services.lambda.runtime.serialization.PojoSerializer;
import com.amazonaws.services.lambda.runtime.serialization.events.LambdaEventSerializers;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The handler driven the way the Lambda runtime drives it: AWS's sample event, through AWS's own serialization. */
class LambdaEventTest {

    private final WriterFixture fixture = new WriterFixture();
    private final QueuedWriterHandler handler = new QueuedWriterHandler(fixture.writer(), "trinity-beast-queued-writer");
    private final PojoSerializer<SQSEvent> events = LambdaEventSerializers.serializerFor(SQSEvent.class, getClass().getClassLoader());
    private final PojoSerializer<SQSBatchResponse> responses =
            LambdaEventSerializers.serializerFor(SQSBatchResponse.class, getClass().getClassLoader());

    private byte[] sample() throws Exception {
        try (InputStream in = getClass().getResourceAsStream("/events/sqs-standard-queue-sample.json")) {
            return in.readAllBytes();
        }
    }

    @Test
    void awsDocumentedSampleEventDeserializesAndItsPlainTextBodiesFailAlone() throws Exception {
        SQSEvent event = events.fromJson(new ByteArrayInputStream(sample()));

        assertThat(event.getRecords()).hasSize(2);
        assertThat(event.getRecords().get(0).getAttributes()).containsEntry("ApproximateReceiveCount", "1");
        assertThat(event.getRecords().get(0).getEventSourceArn()).isEqualTo("arn:aws:sqs:us-east-2:123456789012:my-queue");

        SQSBatchResponse response = handler.handleRequest(event, null);

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        responses.toJson(response, json);
        assertThat(json.toString(StandardCharsets.UTF_8)).isEqualTo("{\"batchItemFailures\":[{\"itemIdentifier\":"
                + "\"059f36b4-87a3-44ab-83d2-661975830a7d\"},{\"itemIdentifier\":\"2e1424d4-f796-459a-8184-9c92662be6da\"}]}");
    }

    @Test
    void theSampleEventCarryingEnvelopesIsStored() throws Exception {
        ObjectNode sample = (ObjectNode) JsonMapper.builder().build().readTree(sample());
        String single = fixture.encoder.encodeBody(List.of(fixture.record("ak_live_abc123", DEC_4_2026)), false);
        String packed = fixture.encoder.encodeBody(List.of(fixture.record("ak_live_abc123", DEC_4_2026 + 1),
                fixture.record("ak_live_def456", DEC_4_2026 + 2)), true);
        ((ObjectNode) sample.get("Records").get(0)).set("body", TextNode.valueOf(single));
        ((ObjectNode) sample.get("Records").get(1)).set("body", TextNode.valueOf(packed));

        SQSBatchResponse response = handler.handleRequest(events.fromJson(new ByteArrayInputStream(
                sample.toString().getBytes(StandardCharsets.UTF_8))), null);

        ByteArrayOutputStream json = new ByteArrayOutputStream();
        responses.toJson(response, json);
        assertThat(json.toString(StandardCharsets.UTF_8)).isEqualTo("{\"batchItemFailures\":[]}");
        assertThat(fixture.counters()).containsEntry("ak_live_abc123/2026-12-01", 2L).containsEntry("ak_live_def456/2026-12-01", 1L);
    }

    @Test
    void rdsSecretJsonBecomesAJdbcUrlAndNeverShowsThePassword() {
        WriterDatabase.Credentials credentials = WriterDatabase.parseSecret("""
                {"engine":"postgres","host":"beast.cluster-abc.us-east-2.rds.amazonaws.com","port":5432,
                 "username":"writer","password":"s3cr3t!","dbname":"trinity"}""");

        assertThat(credentials.jdbcUrl()).isEqualTo("jdbc:postgresql://beast.cluster-abc.us-east-2.rds.amazonaws.com:5432/trinity");
        assertThat(credentials.user()).isEqualTo("writer");
        assertThat(credentials.password()).isEqualTo("s3cr3t!");
        assertThat(credentials.toString()).doesNotContain("s3cr3t!");
        assertThatThrownBy(() -> WriterDatabase.parseSecret("{\"password\":\"s3cr3t!\"}"))
                .hasMessage("the database secret has no 'host'");
        assertThatThrownBy(() -> WriterDatabase.parseSecret("password=s3cr3t!"))
                .hasMessage("the database secret is not JSON");
    }
}
