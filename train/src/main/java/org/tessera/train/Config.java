package org.tessera.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A YAML run configuration (the seeds' format: model.*, lora.*, train.*, data.*) laid over the built-in defaults,
 * with {@code key=value} overrides. Every read names the file and key when a value is missing or malformed.
 */
public final class Config {
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  private final ObjectNode root;
  private final String source;

  private Config(ObjectNode root, String source) {
    this.root = root;
    this.source = source;
  }

  /** The defaults, then the file (if any), then the overrides. */
  public static Config load(Path file, List<String> overrides) throws IOException {
    ObjectNode root;
    try (InputStream in = Config.class.getResourceAsStream("/configs/default.yaml")) {
      root = (ObjectNode) YAML.readTree(in);
    }
    String source = "built-in defaults";
    if (file != null) {
      JsonNode user;
      try {
        user = YAML.readTree(Files.readString(file));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw new IllegalArgumentException("config " + file + ": not valid YAML: " + e.getOriginalMessage());
      } catch (java.nio.file.NoSuchFileException e) {
        throw new IllegalArgumentException("config " + file + ": no such file");
      }
      if (!(user instanceof ObjectNode userObject)) throw new IllegalArgumentException("config " + file + ": expected a mapping of sections at the top");
      merge(root, userObject, file.toString(), "");
      source = file.toString();
    }
    Config c = new Config(root, source);
    for (String o : overrides) c.set(o);
    return c;
  }

  private static void merge(ObjectNode into, ObjectNode from, String file, String prefix) {
    from.fields().forEachRemaining(e -> {
      JsonNode existing = into.get(e.getKey());
      String key = prefix + e.getKey();
      if (existing == null) throw new IllegalArgumentException("config " + file + ": unknown key '" + key + "'");
      if (existing.isObject() && e.getValue().isObject()) merge((ObjectNode) existing, (ObjectNode) e.getValue(), file, key + ".");
      else into.set(e.getKey(), e.getValue());
    });
  }

  /** Applies one {@code section.key=value} override; the value is read as YAML (numbers, booleans, null, strings). */
  public void set(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) throw new IllegalArgumentException("override '" + assignment + "': expected key=value, e.g. train.epochs=5");
    String[] path = assignment.substring(0, eq).split("\\.");
    ObjectNode node = root;
    for (int i = 0; i < path.length - 1; i++) {
      if (!(node.get(path[i]) instanceof ObjectNode child)) throw new IllegalArgumentException("override '" + assignment + "': unknown section '" + path[i] + "'");
      node = child;
    }
    String leaf = path[path.length - 1];
    if (!node.has(leaf)) throw new IllegalArgumentException("override '" + assignment + "': unknown key '" + assignment.substring(0, eq) + "'");
    try {
      JsonNode value = YAML.readTree(assignment.substring(eq + 1));
      node.set(leaf, value == null || value.isMissingNode() ? com.fasterxml.jackson.databind.node.NullNode.getInstance() : value);
    } catch (IOException e) {
      throw new IllegalArgumentException("override '" + assignment + "': unreadable value");
    }
  }

  private JsonNode node(String key) {
    JsonNode n = root;
    for (String part : key.split("\\.")) {
      n = n.get(part);
      if (n == null) throw new IllegalArgumentException("config " + source + ": missing key '" + key + "'");
    }
    return n;
  }

  public int integer(String key) {
    JsonNode n = node(key);
    if (!n.canConvertToInt() || !n.isNumber()) throw new IllegalArgumentException("config " + source + ": " + key + " must be an integer, got " + n);
    return n.asInt();
  }

  public double number(String key) {
    JsonNode n = node(key);
    if (!n.isNumber()) throw new IllegalArgumentException("config " + source + ": " + key + " must be a number, got " + n);
    return n.asDouble();
  }

  public boolean flag(String key) {
    JsonNode n = node(key);
    if (!n.isBoolean()) throw new IllegalArgumentException("config " + source + ": " + key + " must be true or false, got " + n);
    return n.asBoolean();
  }

  /** A string, or null when the key holds null. */
  public String text(String key) {
    JsonNode n = node(key);
    return n.isNull() ? null : n.asText();
  }

  public int[] ints(String key) {
    JsonNode n = node(key);
    if (n.isNull()) return null;
    if (!n.isArray()) throw new IllegalArgumentException("config " + source + ": " + key + " must be a list of integers, got " + n);
    int[] out = new int[n.size()];
    for (int i = 0; i < out.length; i++) out[i] = n.get(i).asInt();
    return out;
  }

  public double[] doubles(String key) {
    JsonNode n = node(key);
    if (n.isNull()) return null;
    if (!n.isArray()) throw new IllegalArgumentException("config " + source + ": " + key + " must be a list of numbers, got " + n);
    double[] out = new double[n.size()];
    for (int i = 0; i < out.length; i++) {
      if (!n.get(i).isNumber()) throw new IllegalArgumentException("config " + source + ": " + key + " must be a list of numbers, got " + n);
      out[i] = n.get(i).asDouble();
    }
    return out;
  }

  /** One of the allowed words, or an error listing them. */
  public String choice(String key, String... allowed) {
    String v = text(key);
    for (String a : allowed) if (a.equals(v)) return v;
    throw new IllegalArgumentException("config " + source + ": " + key + " is '" + v + "', expected one of " + List.of(allowed));
  }

  public String toYaml() {
    try {
      return YAML.writeValueAsString(root);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
