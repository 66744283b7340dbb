package dev.dossier.runtime.onnx;

import dev.dossier.runtime.onnx.proto.OnnxProto.AttributeProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.GraphProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.ModelProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.NodeProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.OperatorSetIdProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.StringStringEntryProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.TensorProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.TensorShapeProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.TypeProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.ValueInfoProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import java.util.function.Supplier;

/**
 * A small vocabulary for writing ONNX graphs by hand: each operator call adds one node and
 * returns the name of its output, so a graph reads like the computation it describes. Large
 * initializers go to a {@link WeightsFile} as external data; small constants stay inline.
 */
final class GraphBuilder {
    /** ONNX opset: 17 still takes ReduceMean's axes as an attribute. */
    static final int OPSET = 17;
    static final String MICROSOFT = "com.microsoft";

    private final GraphProto.Builder graph = GraphProto.newBuilder();
    private final WeightsFile weights;
    private int counter;

    GraphBuilder(String name, WeightsFile weights) {
        graph.setName(name);
        this.weights = weights;
    }

    ModelProto build() {
        return ModelProto.newBuilder()
                .setIrVersion(8)
                .setProducerName("dossier")
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
                .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain(MICROSOFT).setVersion(1))
                .setGraph(graph)
                .build();
    }

    // ---- graph inputs and outputs; a dimension is a number or a symbolic name such as "T"

    void input(String name, TensorProto.DataType type, Object... dims) {
        graph.addInput(valueInfo(name, type, dims));
    }

    void output(String value, String name, TensorProto.DataType type, Object... dims) {
        node("", "Identity", List.of(value), name);
        graph.addOutput(valueInfo(name, type, dims));
    }

    private static ValueInfoProto valueInfo(String name, TensorProto.DataType type, Object... dims) {
        TensorShapeProto.Builder shape = TensorShapeProto.newBuilder();
        for (Object dim : dims) {
            shape.addDim(dim instanceof String symbol
                    ? TensorShapeProto.Dimension.newBuilder().setDimParam(symbol)
                    : TensorShapeProto.Dimension.newBuilder().setDimValue(((Number) dim).longValue()));
        }
        TypeProto.Tensor tensor = TypeProto.Tensor.newBuilder().setElemType(type.getNumber()).setShape(shape).build();
        return ValueInfoProto.newBuilder().setName(name).setType(TypeProto.newBuilder().setTensorType(tensor)).build();
    }

    // ---- initializers

    /**
     * A weight in the external data file. The bytes are made (and written) only the first time
     * the name is seen, so graphs for several attention configs share one file.
     */
    String external(String name, TensorProto.DataType type, long[] dims, Supplier<ByteBuffer> littleEndianBytes) {
        WeightsFile.Span span = weights.spanOf(name, littleEndianBytes);
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(type.getNumber())
                .setDataLocation(TensorProto.DataLocation.EXTERNAL)
                .addExternalData(entry("location", weights.fileName()))
                .addExternalData(entry("offset", Long.toString(span.offset())))
                .addExternalData(entry("length", Long.toString(span.length())));
        for (long dim : dims) {
            tensor.addDims(dim);
        }
        graph.addInitializer(tensor);
        return name;
    }

    String floats(String name, long[] dims, Supplier<float[]> values) {
        return external(name, TensorProto.DataType.FLOAT, dims, () -> {
            float[] v = values.get();
            ByteBuffer bytes = ByteBuffer.allocate(v.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
            bytes.asFloatBuffer().put(v);
            return bytes;
        });
    }

    String longs(long... values) {
        String name = fresh("const");
        TensorProto.Builder tensor = TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE)
                .addDims(values.length);
        for (long value : values) {
            tensor.addInt64Data(value);
        }
        graph.addInitializer(tensor);
        return name;
    }

    /** A 0-dimensional int64. */
    String scalar(long value) {
        String name = fresh("const");
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.INT64_VALUE).addInt64Data(value));
        return name;
    }

    /** A 0-dimensional float. */
    String scalar(float value) {
        String name = fresh("const");
        graph.addInitializer(TensorProto.newBuilder().setName(name).setDataType(TensorProto.DataType.FLOAT_VALUE).addFloatData(value));
        return name;
    }

    // ---- nodes

    String op(String type, String... inputs) {
        return node("", type, List.of(inputs), fresh(type));
    }

    String op(String type, List<String> inputs, AttributeProto... attributes) {
        return node("", type, inputs, fresh(type), attributes);
    }

    /** An operator of ONNX Runtime's own domain (com.microsoft), such as MatMulNBits. */
    String microsoft(String type, List<String> inputs, AttributeProto... attributes) {
        return node(MICROSOFT, type, inputs, fresh(type), attributes);
    }

    private String node(String domain, String type, List<String> inputs, String output, AttributeProto... attributes) {
        NodeProto.Builder node = NodeProto.newBuilder().setOpType(type).setDomain(domain).setName(output)
                .addAllInput(inputs).addOutput(output);
        for (AttributeProto attribute : attributes) {
            node.addAttribute(attribute);
        }
        graph.addNode(node);
        return output;
    }

    // ---- the operators the decoder uses, named after their ONNX counterparts

    String add(String a, String b) {
        return op("Add", a, b);
    }

    String sub(String a, String b) {
        return op("Sub", a, b);
    }

    String mul(String a, String b) {
        return op("Mul", a, b);
    }

    String div(String a, String b) {
        return op("Div", a, b);
    }

    String matMul(String a, String b) {
        return op("MatMul", a, b);
    }

    String reshape(String x, long... shape) {
        return op("Reshape", x, longs(shape));
    }

    /** Reshapes to {@code leading} dimensions followed by x's last one (whose size is known only at run time). */
    String reshapeKeepingLast(String x, long... leading) {
        String last = op("Shape", List.of(x), integer("start", -1));
        return op("Reshape", x, concat(List.of(longs(leading), last), 0));
    }

    String transpose(String x, long... perm) {
        return op("Transpose", List.of(x), ints("perm", perm));
    }

    String unsqueeze(String x, long... axes) {
        return op("Unsqueeze", x, longs(axes));
    }

    String concat(List<String> parts, long axis) {
        return op("Concat", parts, integer("axis", axis));
    }

    String gather(String data, String indices, long axis) {
        return op("Gather", List.of(data, indices), integer("axis", axis));
    }

    String where(String condition, String ifTrue, String ifFalse) {
        return op("Where", condition, ifTrue, ifFalse);
    }

    static AttributeProto integer(String name, long value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INT).setI(value).build();
    }

    static AttributeProto real(String name, float value) {
        return AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.FLOAT).setF(value).build();
    }

    static AttributeProto ints(String name, long... values) {
        AttributeProto.Builder attribute = AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
        for (long value : values) {
            attribute.addInts(value);
        }
        return attribute.build();
    }

    private String fresh(String prefix) {
        return prefix + "_" + counter++;
    }

    private static StringStringEntryProto entry(String key, String value) {
        return StringStringEntryProto.newBuilder().setKey(key).setValue(value).build();
    }
}
