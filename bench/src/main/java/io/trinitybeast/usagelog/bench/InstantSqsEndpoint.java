package io.trinitybeast.usagelog.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;
import java.util.concurrent.Executors;

/**
 * An SQS endpoint that accepts every SendMessageBatch entry at once and keeps nothing, for a process
 * of its own: the price server's client side (SDK marshalling and signing, the CRT's HTTP, the
 * response's MD5 checks) runs exactly as against SQS, while the queue's own CPU, which SQS spends on
 * other machines, is reduced to parsing the request. It speaks only the AWS JSON protocol's
 * {@code AmazonSQS.SendMessageBatch}; anything else gets a 400.
 */
final class InstantSqsEndpoint {

    private static final JsonMapper JSON = new JsonMapper();

    public static void main(String[] args) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", InstantSqsEndpoint::answer);
        server.setExecutor(Executors.newFixedThreadPool(2));
        server.start();
        System.out.println("local SQS on http://127.0.0.1:" + server.getAddress().getPort());
        System.out.println("queue url: http://127.0.0.1:" + server.getAddress().getPort() + "/000000000000/instant");
        System.out.flush();
    }

    private static void answer(HttpExchange exchange) throws IOException {
        try (exchange; InputStream body = exchange.getRequestBody()) {
            String target = exchange.getRequestHeaders().getFirst("X-Amz-Target");
            byte[] answer;
            int status;
            if ("AmazonSQS.SendMessageBatch".equals(target)) {
                JsonNode request = JSON.readTree(body);
                ObjectNode response = JSON.createObjectNode();
                ArrayNode successful = response.putArray("Successful");
                for (JsonNode entry : request.path("Entries")) {
                    successful.addObject().put("Id", entry.path("Id").asText()).put("MessageId", UUID.randomUUID().toString())
                            .put("MD5OfMessageBody", md5(entry.path("MessageBody").asText()));
                }
                response.putArray("Failed");
                answer = JSON.writeValueAsBytes(response);
                status = 200;
            } else {
                body.readAllBytes();
                answer = ("{\"__type\":\"com.amazonaws.sqs#UnsupportedOperation\",\"message\":\"only SendMessageBatch: " + target
                        + "\"}").getBytes(StandardCharsets.UTF_8);
                status = 400;
            }
            exchange.getResponseHeaders().set("Content-Type", "application/x-amz-json-1.0");
            exchange.sendResponseHeaders(status, answer.length);
            exchange.getResponseBody().write(answer);
        }
    }

    private static String md5(String body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(body.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
