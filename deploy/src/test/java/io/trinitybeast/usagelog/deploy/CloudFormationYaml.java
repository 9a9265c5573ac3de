package io.trinitybeast.usagelog.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/** Reads a CloudFormation/SAM template, its short-form intrinsic functions ({@code !Ref}, {@code !GetAtt}, ...) included, into their long JSON form. */
final class CloudFormationYaml {

    private CloudFormationYaml() {}

    @SuppressWarnings("unchecked")
    static Map<String, Object> read(Path template) throws IOException {
        return (Map<String, Object>) new Yaml(new IntrinsicFunctions(new LoaderOptions())).load(Files.readString(template));
    }

    private static final class IntrinsicFunctions extends SafeConstructor {
        IntrinsicFunctions(LoaderOptions options) {
            super(options);
            this.yamlMultiConstructors.put("!", new AbstractConstruct() {
                @Override
                public Object construct(Node node) {
                    String function = node.getTag().getValue().substring(1);
                    Object value;
                    if (node instanceof ScalarNode scalar) {
                        value = constructScalar(scalar);
                        if (function.equals("GetAtt")) {
                            String text = (String) value;
                            int dot = text.indexOf('.');
                            value = List.of(text.substring(0, dot), text.substring(dot + 1));
                        }
                    } else if (node instanceof SequenceNode sequence) {
                        value = constructSequence(sequence);
                    } else {
                        value = constructMapping((MappingNode) node);
                    }
                    return Map.of(function.equals("Ref") ? "Ref" : "Fn::" + function, value);
                }
            });
        }
    }
}
