import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.ByteArrayOutputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.apache.avro.Schema;
import org.apache.avro.SchemaCompatibility;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericDatumWriter;
import org.apache.avro.generic.GenericFixed;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.BinaryDecoder;
import org.apache.avro.io.BinaryEncoder;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.io.EncoderFactory;

/**
 * Apache Avro Java as a test oracle, one JSON request per stdin line, one JSON answer per stdout line.
 *
 * <pre>
 * {"op":"compat","reader":SCHEMA,"writer":SCHEMA}   -> {"ok":true,"compatible":true|false,"messages":[...]}
 * {"op":"encode","schema":SCHEMA,"value":TAGGED}    -> {"ok":true,"hex":"..."}
 * {"op":"decode","schema":SCHEMA,"hex":"..."}       -> {"ok":true,"value":TAGGED}
 * {"op":"decode","writer":SCHEMA,"reader":SCHEMA,"hex":"..."} resolves writer data into the reader schema
 * anything failing                                  -> {"ok":false,"error":"..."}
 * </pre>
 *
 * SCHEMA is schema text (a JSON string). TAGGED is a value written so JSON loses nothing: long as a
 * decimal string, float as the int of Float.floatToIntBits, double as the decimal string of
 * Double.doubleToLongBits, bytes and fixed as hex, a union as {"i":branchIndex,"v":value}.
 */
public final class AvroOracle {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
  private static final HexFormat HEX = HexFormat.of();

  public static void main(String[] args) throws Exception {
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    PrintStream out = new PrintStream(System.out, false, StandardCharsets.UTF_8);
    String line;
    while ((line = in.readLine()) != null) {
      if (line.isBlank()) continue;
      ObjectNode answer;
      try {
        answer = handle(JSON.readTree(line));
      } catch (Throwable error) {
        answer = NODES.objectNode();
        answer.put("ok", false);
        answer.put("error", error.getClass().getSimpleName() + ": " + error.getMessage());
      }
      out.println(JSON.writeValueAsString(answer));
      out.flush();
    }
  }

  private static Schema parse(JsonNode text) {
    return new Schema.Parser().parse(text.asText());
  }

  private static ObjectNode handle(JsonNode request) throws Exception {
    ObjectNode answer = NODES.objectNode();
    answer.put("ok", true);
    switch (request.path("op").asText()) {
      case "compat": {
        SchemaCompatibility.SchemaPairCompatibility result =
            SchemaCompatibility.checkReaderWriterCompatibility(parse(request.get("reader")), parse(request.get("writer")));
        answer.put("compatible", result.getType() == SchemaCompatibility.SchemaCompatibilityType.COMPATIBLE);
        ArrayNode messages = answer.putArray("messages");
        for (SchemaCompatibility.Incompatibility incompatibility : result.getResult().getIncompatibilities()) {
          messages.add(incompatibility.getType() + " at " + incompatibility.getLocation() + ": " + incompatibility.getMessage());
        }
        return answer;
      }
      case "encode": {
        Schema schema = parse(request.get("schema"));
        Object datum = fromTagged(schema, request.get("value"));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        BinaryEncoder encoder = EncoderFactory.get().binaryEncoder(bytes, null);
        new GenericDatumWriter<Object>(schema).write(datum, encoder);
        encoder.flush();
        answer.put("hex", HEX.formatHex(bytes.toByteArray()));
        return answer;
      }
      case "decode": {
        Schema writer = parse(request.has("writer") ? request.get("writer") : request.get("schema"));
        Schema reader = request.has("reader") ? parse(request.get("reader")) : writer;
        byte[] bytes = HEX.parseHex(request.get("hex").asText());
        BinaryDecoder decoder = DecoderFactory.get().binaryDecoder(bytes, null);
        Object datum = new GenericDatumReader<Object>(writer, reader).read(null, decoder);
        if (!decoder.isEnd()) throw new IllegalArgumentException("trailing bytes after the value");
        answer.set("value", toTagged(reader, datum));
        return answer;
      }
      default:
        throw new IllegalArgumentException("unknown op " + request.path("op"));
    }
  }

  private static Object fromTagged(Schema schema, JsonNode node) {
    switch (schema.getType()) {
      case NULL:
        return null;
      case BOOLEAN:
        return node.booleanValue();
      case INT:
        return node.intValue();
      case LONG:
        return Long.parseLong(node.asText());
      case FLOAT:
        return Float.intBitsToFloat(node.intValue());
      case DOUBLE:
        return Double.longBitsToDouble(Long.parseLong(node.asText()));
      case STRING:
        return node.asText();
      case BYTES:
        return ByteBuffer.wrap(HEX.parseHex(node.asText()));
      case FIXED:
        return new GenericData.Fixed(schema, HEX.parseHex(node.asText()));
      case ENUM:
        return new GenericData.EnumSymbol(schema, node.asText());
      case ARRAY: {
        List<Object> list = new ArrayList<>();
        for (JsonNode item : node) list.add(fromTagged(schema.getElementType(), item));
        return list;
      }
      case MAP: {
        Map<String, Object> map = new LinkedHashMap<>(); // our order, so the bytes can be compared
        Iterator<Map.Entry<String, JsonNode>> entries = node.fields();
        while (entries.hasNext()) {
          Map.Entry<String, JsonNode> entry = entries.next();
          map.put(entry.getKey(), fromTagged(schema.getValueType(), entry.getValue()));
        }
        return map;
      }
      case RECORD: {
        GenericData.Record record = new GenericData.Record(schema);
        for (Schema.Field field : schema.getFields()) record.put(field.pos(), fromTagged(field.schema(), node.get(field.name())));
        return record;
      }
      case UNION: {
        return fromTagged(schema.getTypes().get(node.get("i").intValue()), node.get("v"));
      }
      default:
        throw new IllegalArgumentException("unsupported type " + schema.getType());
    }
  }

  private static JsonNode toTagged(Schema schema, Object datum) {
    switch (schema.getType()) {
      case NULL:
        return NODES.nullNode();
      case BOOLEAN:
        return NODES.booleanNode((Boolean) datum);
      case INT:
        return NODES.numberNode((Integer) datum);
      case LONG:
        return NODES.textNode(Long.toString((Long) datum));
      case FLOAT:
        return NODES.numberNode(Float.floatToIntBits((Float) datum));
      case DOUBLE:
        return NODES.textNode(Long.toString(Double.doubleToLongBits((Double) datum)));
      case STRING:
        return NODES.textNode(datum.toString());
      case BYTES: {
        ByteBuffer buffer = ((ByteBuffer) datum).duplicate();
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(bytes);
        return NODES.textNode(HEX.formatHex(bytes));
      }
      case FIXED:
        return NODES.textNode(HEX.formatHex(((GenericFixed) datum).bytes()));
      case ENUM:
        return NODES.textNode(datum.toString());
      case ARRAY: {
        ArrayNode array = NODES.arrayNode();
        for (Object item : (List<?>) datum) array.add(toTagged(schema.getElementType(), item));
        return array;
      }
      case MAP: {
        ObjectNode map = NODES.objectNode();
        for (Map.Entry<?, ?> entry : ((Map<?, ?>) datum).entrySet()) {
          map.set(entry.getKey().toString(), toTagged(schema.getValueType(), entry.getValue()));
        }
        return map;
      }
      case RECORD: {
        ObjectNode record = NODES.objectNode();
        GenericRecord value = (GenericRecord) datum;
        for (Schema.Field field : schema.getFields()) record.set(field.name(), toTagged(field.schema(), value.get(field.pos())));
        return record;
      }
      case UNION: {
        int index = GenericData.get().resolveUnion(schema, datum);
        ObjectNode union = NODES.objectNode();
        union.put("i", index);
        union.set("v", toTagged(schema.getTypes().get(index), datum));
        return union;
      }
      default:
        throw new IllegalArgumentException("unsupported type " + schema.getType());
    }
  }
}
