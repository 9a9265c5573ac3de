package io.trinitybeast.usagelog.producer;

/** A parameter value outside its range or not a number; the message names the parameter and its range. */
public class InvalidParameterException extends IllegalArgumentException {

    private static final long serialVersionUID = 1L;

    private final transient ProducerParameter parameter;

    public InvalidParameterException(ProducerParameter parameter, String message) {
        super(message);
        this.parameter = parameter;
    }

    public ProducerParameter parameter() {
        return parameter;
    }
}
