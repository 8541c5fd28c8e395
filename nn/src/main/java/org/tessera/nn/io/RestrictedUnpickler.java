package org.tessera.nn.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * A pickle reader that understands only what {@code torch.save} writes for state dicts: dicts (OrderedDict), lists,
 * tuples, strings, numbers, booleans, None, persistent storage references, and the two tensor rebuild functions.
 * Every other global is refused by name, so a checkpoint can never run code — nothing is ever called but the
 * fixed constructors below.
 */
final class RestrictedUnpickler {
  /** A persistent reference ('storage', type, key, location, numel), resolved by the caller. */
  record StorageRef(String type, String key, String location, long numel) {}

  /** A call torch.save recorded: _rebuild_tensor_v2 / _rebuild_parameter with their arguments. */
  record Rebuild(String function, List<Object> args) {}

  /** A class or function named by the pickle (module.name), only ever compared against the allowed set. */
  record Global(String module, String name) {
    String qualified() {
      return module + "." + name;
    }
  }

  static final Set<String> ALLOWED = Set.of("collections.OrderedDict", "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter",
      "torch.FloatStorage", "torch.HalfStorage", "torch.BFloat16Storage", "torch.DoubleStorage", "torch.LongStorage", "torch.IntStorage",
      "torch.BoolStorage", "torch.ByteStorage", "torch.ShortStorage", "torch.CharStorage");

  private static final Object MARK = new Object();

  private final ByteBuffer in;
  private final String source;
  private final Function<StorageRef, Object> storages;
  private final List<Object> stack = new ArrayList<>();
  private final Map<Integer, Object> memo = new HashMap<>();

  RestrictedUnpickler(byte[] data, String source, Function<StorageRef, Object> storages) {
    this.in = ByteBuffer.wrap(data).order(ByteOrder.LITTLE_ENDIAN);
    this.source = source;
    this.storages = storages;
  }

  Object load() throws IOException {
    try {
      while (true) {
        int op = in.get() & 0xff;
        switch (op) {
          case 0x80 -> in.get(); // PROTO
          case 0x95 -> in.getLong(); // FRAME
          case '.' -> { // STOP
            return pop();
          }
          case '}' -> push(new LinkedHashMap<>()); // EMPTY_DICT
          case ']' -> push(new ArrayList<>()); // EMPTY_LIST
          case ')' -> push(List.of()); // EMPTY_TUPLE
          case '(' -> push(MARK);
          case 'N' -> push(null);
          case 0x88 -> push(Boolean.TRUE);
          case 0x89 -> push(Boolean.FALSE);
          case 'J' -> push((long) in.getInt()); // BININT
          case 'K' -> push((long) (in.get() & 0xff)); // BININT1
          case 'M' -> push((long) (in.getShort() & 0xffff)); // BININT2
          case 0x8a -> push(long1(in.get() & 0xff)); // LONG1
          case 'G' -> push(ByteBuffer.wrap(bytes(8)).order(ByteOrder.BIG_ENDIAN).getDouble()); // BINFLOAT is big-endian
          case 'X' -> push(string(in.getInt())); // BINUNICODE
          case 0x8c -> push(string(in.get() & 0xff)); // SHORT_BINUNICODE
          case 'C' -> push(bytes(in.get() & 0xff)); // SHORT_BINBYTES
          case 'B' -> push(bytes(in.getInt())); // BINBYTES
          case 'q' -> memo.put(in.get() & 0xff, peek()); // BINPUT
          case 'r' -> memo.put(in.getInt(), peek()); // LONG_BINPUT
          case 0x94 -> memo.put(memo.size(), peek()); // MEMOIZE
          case 'h' -> push(memoGet(in.get() & 0xff)); // BINGET
          case 'j' -> push(memoGet(in.getInt())); // LONG_BINGET
          case 'c' -> push(global(line(), line())); // GLOBAL
          case 0x93 -> { // STACK_GLOBAL
            String name = (String) pop(), module = (String) pop();
            push(global(module, name));
          }
          case 't' -> push(List.copyOf(popToMark()));
          case 0x85 -> push(List.of(pop()));
          case 0x86 -> {
            Object b = pop(), a = pop();
            push(java.util.Arrays.asList(a, b));
          }
          case 0x87 -> {
            Object c = pop(), b = pop(), a = pop();
            push(java.util.Arrays.asList(a, b, c));
          }
          case 'R' -> { // REDUCE
            @SuppressWarnings("unchecked") List<Object> args = (List<Object>) pop();
            push(reduce((Global) pop(), args));
          }
          case 'b' -> pop(); // BUILD: the state of an OrderedDict (its _metadata) is dropped
          case 's' -> { // SETITEM
            Object v = pop(), k = pop();
            dict(peek()).put(k, v);
          }
          case 'u' -> { // SETITEMS
            List<Object> items = popToMark();
            Map<Object, Object> d = dict(peek());
            for (int i = 0; i < items.size(); i += 2) d.put(items.get(i), items.get(i + 1));
          }
          case 'a' -> { // APPEND
            Object v = pop();
            list(peek()).add(v);
          }
          case 'e' -> { // APPENDS
            List<Object> items = popToMark();
            list(peek()).addAll(items);
          }
          case 'Q' -> { // BINPERSID
            @SuppressWarnings("unchecked") List<Object> id = (List<Object>) pop();
            push(persistent(id));
          }
          default -> throw fault("unsupported pickle opcode 0x" + Integer.toHexString(op) + " at byte " + (in.position() - 1));
        }
      }
    } catch (java.nio.BufferUnderflowException e) {
      throw fault("the pickle ends early (truncated file?)");
    } catch (ClassCastException | IndexOutOfBoundsException e) {
      throw fault("malformed pickle: " + e.getMessage());
    }
  }

  private Object memoGet(int key) throws IOException {
    if (!memo.containsKey(key)) throw fault("the pickle refers to memo entry " + key + ", which it never stored");
    return memo.get(key);
  }

  private Global global(String module, String name) throws IOException {
    Global g = new Global(module, name);
    if (!ALLOWED.contains(g.qualified()))
      throw fault("refused to load global '" + g.qualified() + "': a checkpoint may only contain tensors, dicts, lists and numbers");
    return g;
  }

  private Object reduce(Global g, List<Object> args) throws IOException {
    return switch (g.qualified()) {
      case "collections.OrderedDict" -> new LinkedHashMap<>();
      case "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter" -> new Rebuild(g.name(), args);
      default -> throw fault("'" + g.qualified() + "' cannot be called");
    };
  }

  private Object persistent(List<Object> id) throws IOException {
    if (id.size() < 5 || !"storage".equals(id.get(0)) || !(id.get(1) instanceof Global type))
      throw fault("unsupported persistent id " + id);
    return storages.apply(new StorageRef(type.name(), String.valueOf(id.get(2)), String.valueOf(id.get(3)), ((Number) id.get(4)).longValue()));
  }

  private long long1(int n) throws IOException {
    if (n > 8) throw fault("integer of " + n + " bytes is too large");
    long v = 0;
    for (int i = 0; i < n; i++) v |= (long) (in.get() & 0xff) << (8 * i);
    if (n > 0 && n < 8 && (v >> (8 * n - 1) & 1) == 1) v |= -1L << (8 * n); // sign-extend
    return v;
  }

  private String string(int n) throws IOException {
    if (n < 0 || n > in.remaining()) throw fault("string of " + n + " bytes runs past the end");
    byte[] b = new byte[n];
    in.get(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  private byte[] bytes(int n) throws IOException {
    if (n < 0 || n > in.remaining()) throw fault("bytes of length " + n + " run past the end");
    byte[] b = new byte[n];
    in.get(b);
    return b;
  }

  private String line() {
    StringBuilder sb = new StringBuilder();
    for (byte b; (b = in.get()) != '\n'; ) sb.append((char) b);
    return sb.toString();
  }

  private void push(Object o) {
    stack.add(o);
  }

  private Object pop() throws IOException {
    if (stack.isEmpty()) throw fault("the pickle stack is empty");
    return stack.removeLast();
  }

  private Object peek() throws IOException {
    if (stack.isEmpty()) throw fault("the pickle stack is empty");
    return stack.getLast();
  }

  private List<Object> popToMark() throws IOException {
    int mark = stack.lastIndexOf(MARK);
    if (mark < 0) throw fault("no MARK on the pickle stack");
    List<Object> items = new ArrayList<>(stack.subList(mark + 1, stack.size()));
    stack.subList(mark, stack.size()).clear();
    return items;
  }

  @SuppressWarnings("unchecked")
  private Map<Object, Object> dict(Object o) throws IOException {
    if (!(o instanceof Map)) throw fault("SETITEM on something that is not a dict");
    return (Map<Object, Object>) o;
  }

  @SuppressWarnings("unchecked")
  private List<Object> list(Object o) throws IOException {
    if (!(o instanceof ArrayList)) throw fault("APPEND on something that is not a list");
    return (List<Object>) o;
  }

  private IOException fault(String what) {
    return new IOException(source + ": " + what);
  }
}
