package org.tessera.train.nifti;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The fields of a NIfTI-1 (348-byte) or NIfTI-2 (540-byte) header, held at NIfTI-2 width (long dims, double
 * parameters) whichever version the file had. Geometry is kept field by field, so a prediction written with a copy
 * of its image's header has the image's geometry exactly. {@link #affine()} is nibabel's {@code get_best_affine}.
 */
public final class NiftiHeader {
  public static final int NIFTI1_SIZE = 348, NIFTI2_SIZE = 540;
  private static final byte[] NIFTI2_MAGIC = {'n', '+', '2', 0, '\r', '\n', 0x1a, '\n'};

  public int version = 1;
  public ByteOrder order = ByteOrder.LITTLE_ENDIAN;
  /** dim[0] is the number of dimensions, dim[1..] the sizes, x fastest on disk. */
  public long[] dim = new long[8];
  /** pixdim[0] is qfac (±1), pixdim[1..] the voxel spacing. */
  public double[] pixdim = new double[8];
  public NiftiType type = NiftiType.FLOAT32;
  public long voxOffset;
  public double sclSlope = 1, sclInter, calMax, calMin, sliceDuration, toffset, intentP1, intentP2, intentP3;
  public int qformCode, sformCode, xyztUnits, intentCode, sliceCode, dimInfo;
  public long sliceStart, sliceEnd;
  public double quaternB, quaternC, quaternD, qoffsetX, qoffsetY, qoffsetZ;
  public double[][] srow = new double[3][4];
  public String descrip = "", auxFile = "", intentName = "";

  public int ndim() {
    return (int) dim[0];
  }

  /** Sizes in NIfTI order (x, y, z, …), as nibabel reports the shape. */
  public int[] shape() {
    int[] s = new int[ndim()];
    for (int i = 0; i < s.length; i++) s[i] = (int) dim[i + 1];
    return s;
  }

  /** Voxel spacing in NIfTI order (nibabel's {@code get_zooms()}). */
  public double[] spacing() {
    return Arrays.copyOfRange(pixdim, 1, ndim() + 1);
  }

  public long voxels() {
    long n = 1;
    for (int i = 1; i <= ndim(); i++) n *= dim[i];
    return n;
  }

  public int headerSize() {
    return version == 1 ? NIFTI1_SIZE : NIFTI2_SIZE;
  }

  /** Whether stored values are scaled: nibabel ignores a slope of 0 or NaN. */
  public boolean scaled() {
    return sclSlope != 0 && !Double.isNaN(sclSlope) && (sclSlope != 1 || (sclInter != 0 && !Double.isNaN(sclInter)));
  }

  /** The voxel-to-world affine, row-major 4×4: sform if coded, else qform if coded, else nibabel's base affine. */
  public double[][] affine() {
    if (sformCode != 0) {
      double[][] a = new double[4][];
      for (int r = 0; r < 3; r++) a[r] = srow[r].clone();
      a[3] = new double[] {0, 0, 0, 1};
      return a;
    }
    return qformCode != 0 ? qformAffine() : baseAffine();
  }

  /** The affine of the quaternion parameters (nibabel's {@code get_qform}). */
  public double[][] qformAffine() {
    double b = quaternB, c = quaternC, d = quaternD, w2 = 1 - (b * b + c * c + d * d);
    double threshold = version == 1 ? 3 * Math.ulp(1f) : 3 * Math.ulp(1.0);
    if (w2 < -threshold) throw new IllegalArgumentException("the qform quaternion (b, c, d) = (" + b + ", " + c + ", " + d + ") is not a unit quaternion");
    double a = w2 < 0 ? 0 : Math.sqrt(w2), s = 2 / (a * a + b * b + c * c + d * d);
    double x = b * s, y = c * s, z = d * s;
    double[][] r = {
        {1 - (c * y + d * z), b * y - a * z, b * z + a * y},
        {b * y + a * z, 1 - (b * x + d * z), c * z - a * x},
        {b * z - a * y, c * z + a * x, 1 - (b * x + c * y)}};
    double qfac = pixdim[0] == -1 ? -1 : 1;
    double[] zoom = {pixdim[1], pixdim[2], pixdim[3] * qfac};
    double[][] out = new double[4][4];
    for (int i = 0; i < 3; i++)
      for (int j = 0; j < 3; j++) out[i][j] = r[i][j] * zoom[j];
    out[0][3] = qoffsetX;
    out[1][3] = qoffsetY;
    out[2][3] = qoffsetZ;
    out[3][3] = 1;
    return out;
  }

  /** nibabel's fall-back when no transform is coded: spacing on the diagonal (x flipped), origin at the centre. */
  private double[][] baseAffine() {
    double[][] out = new double[4][4];
    for (int i = 0; i < 3; i++) {
      boolean present = i < ndim();
      double zoom = present ? pixdim[i + 1] : 1, size = present ? dim[i + 1] : 1;
      if (i == 0) zoom = -zoom;
      out[i][i] = zoom;
      out[i][3] = -((size - 1) / 2.0) * zoom;
    }
    out[3][3] = 1;
    return out;
  }

  /**
   * Sets sform (code 1, scanner) and qform (code 1) from an affine, and the spacing from its column lengths, as a
   * new image from an array and an affine gets it. The qform keeps the rotation part of the affine.
   */
  public void setAffine(double[][] affine) {
    for (int r = 0; r < 3; r++) srow[r] = Arrays.copyOf(affine[r], 4);
    sformCode = 1;
    qformCode = 1;
    double[] zoom = new double[3];
    double[][] rot = new double[3][3];
    for (int j = 0; j < 3; j++) {
      zoom[j] = Math.sqrt(affine[0][j] * affine[0][j] + affine[1][j] * affine[1][j] + affine[2][j] * affine[2][j]);
      if (zoom[j] == 0) throw new IllegalArgumentException("the affine has a zero column " + j + ": " + Arrays.deepToString(affine));
      for (int i = 0; i < 3; i++) rot[i][j] = affine[i][j] / zoom[j];
    }
    for (int j = 0; j < 3; j++) pixdim[j + 1] = zoom[j];
    double det = rot[0][0] * (rot[1][1] * rot[2][2] - rot[1][2] * rot[2][1]) - rot[0][1] * (rot[1][0] * rot[2][2] - rot[1][2] * rot[2][0])
        + rot[0][2] * (rot[1][0] * rot[2][1] - rot[1][1] * rot[2][0]);
    pixdim[0] = det < 0 ? -1 : 1;
    if (det < 0) for (int i = 0; i < 3; i++) rot[i][2] = -rot[i][2];
    double[] q = Quaternions.fromRotation(rot);
    quaternB = q[1];
    quaternC = q[2];
    quaternD = q[3];
    qoffsetX = affine[0][3];
    qoffsetY = affine[1][3];
    qoffsetZ = affine[2][3];
  }

  /** A copy, for writing another array with this geometry. */
  public NiftiHeader copy() {
    NiftiHeader h = new NiftiHeader();
    h.version = version;
    h.order = order;
    h.dim = dim.clone();
    h.pixdim = pixdim.clone();
    h.type = type;
    h.voxOffset = voxOffset;
    h.sclSlope = sclSlope;
    h.sclInter = sclInter;
    h.calMax = calMax;
    h.calMin = calMin;
    h.sliceDuration = sliceDuration;
    h.toffset = toffset;
    h.intentP1 = intentP1;
    h.intentP2 = intentP2;
    h.intentP3 = intentP3;
    h.qformCode = qformCode;
    h.sformCode = sformCode;
    h.xyztUnits = xyztUnits;
    h.intentCode = intentCode;
    h.sliceCode = sliceCode;
    h.dimInfo = dimInfo;
    h.sliceStart = sliceStart;
    h.sliceEnd = sliceEnd;
    h.quaternB = quaternB;
    h.quaternC = quaternC;
    h.quaternD = quaternD;
    h.qoffsetX = qoffsetX;
    h.qoffsetY = qoffsetY;
    h.qoffsetZ = qoffsetZ;
    for (int r = 0; r < 3; r++) h.srow[r] = srow[r].clone();
    h.descrip = descrip;
    h.auxFile = auxFile;
    h.intentName = intentName;
    return h;
  }

  // ---- the two binary layouts ----

  /** Parses the header at the start of {@code bytes}; {@code file} names the file in errors. */
  static NiftiHeader parse(ByteBuffer bytes, String file) {
    if (bytes.limit() < 4) throw new IllegalArgumentException(file + ": not a NIfTI file (" + bytes.limit() + " bytes, shorter than any header)");
    NiftiHeader h = new NiftiHeader();
    int le = bytes.order(ByteOrder.LITTLE_ENDIAN).getInt(0), be = bytes.order(ByteOrder.BIG_ENDIAN).getInt(0);
    if (le == NIFTI1_SIZE || le == NIFTI2_SIZE) h.order = ByteOrder.LITTLE_ENDIAN;
    else if (be == NIFTI1_SIZE || be == NIFTI2_SIZE) h.order = ByteOrder.BIG_ENDIAN;
    else throw new IllegalArgumentException(file + ": not a NIfTI file (sizeof_hdr is " + le + ", expected 348 for NIfTI-1 or 540 for NIfTI-2)");
    ByteBuffer b = bytes.order(h.order);
    h.version = b.getInt(0) == NIFTI1_SIZE ? 1 : 2;
    if (b.limit() < h.headerSize())
      throw new IllegalArgumentException(file + ": truncated: the NIfTI-" + h.version + " header needs " + h.headerSize() + " bytes, the file has " + b.limit());
    if (h.version == 1) parse1(b, h, file);
    else parse2(b, h, file);
    h.validate(file);
    return h;
  }

  private static void parse1(ByteBuffer b, NiftiHeader h, String file) {
    String magic = string(b, 344, 4);
    if (magic.equals("ni1")) throw new IllegalArgumentException(file + ": a NIfTI-1 header of a .hdr/.img pair (magic 'ni1'): convert it to a single .nii file");
    if (!magic.equals("n+1")) throw new IllegalArgumentException(file + ": bad NIfTI-1 magic '" + printable(b, 344, 4) + "' (expected 'n+1')");
    h.dimInfo = b.get(39);
    for (int i = 0; i < 8; i++) h.dim[i] = b.getShort(40 + 2 * i);
    h.intentP1 = b.getFloat(56);
    h.intentP2 = b.getFloat(60);
    h.intentP3 = b.getFloat(64);
    h.intentCode = b.getShort(68);
    h.type = type(b.getShort(70), b.getShort(72), file);
    h.sliceStart = b.getShort(74);
    for (int i = 0; i < 8; i++) h.pixdim[i] = b.getFloat(76 + 4 * i);
    h.voxOffset = (long) b.getFloat(108);
    h.sclSlope = b.getFloat(112);
    h.sclInter = b.getFloat(116);
    h.sliceEnd = b.getShort(120);
    h.sliceCode = b.get(122);
    h.xyztUnits = b.get(123);
    h.calMax = b.getFloat(124);
    h.calMin = b.getFloat(128);
    h.sliceDuration = b.getFloat(132);
    h.toffset = b.getFloat(136);
    h.descrip = string(b, 148, 80);
    h.auxFile = string(b, 228, 24);
    h.qformCode = b.getShort(252);
    h.sformCode = b.getShort(254);
    h.quaternB = b.getFloat(256);
    h.quaternC = b.getFloat(260);
    h.quaternD = b.getFloat(264);
    h.qoffsetX = b.getFloat(268);
    h.qoffsetY = b.getFloat(272);
    h.qoffsetZ = b.getFloat(276);
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 4; c++) h.srow[r][c] = b.getFloat(280 + 16 * r + 4 * c);
    h.intentName = string(b, 328, 16);
  }

  private static void parse2(ByteBuffer b, NiftiHeader h, String file) {
    byte[] magic = new byte[8];
    b.get(4, magic);
    if (magic[0] == 'n' && magic[1] == 'i' && magic[2] == '2')
      throw new IllegalArgumentException(file + ": a NIfTI-2 header of a .hdr/.img pair (magic 'ni2'): convert it to a single .nii file");
    if (!Arrays.equals(magic, NIFTI2_MAGIC)) throw new IllegalArgumentException(file + ": bad NIfTI-2 magic '" + printable(b, 4, 8) + "' (expected 'n+2')");
    h.type = type(b.getShort(12), b.getShort(14), file);
    for (int i = 0; i < 8; i++) h.dim[i] = b.getLong(16 + 8 * i);
    h.intentP1 = b.getDouble(80);
    h.intentP2 = b.getDouble(88);
    h.intentP3 = b.getDouble(96);
    for (int i = 0; i < 8; i++) h.pixdim[i] = b.getDouble(104 + 8 * i);
    h.voxOffset = b.getLong(168);
    h.sclSlope = b.getDouble(176);
    h.sclInter = b.getDouble(184);
    h.calMax = b.getDouble(192);
    h.calMin = b.getDouble(200);
    h.sliceDuration = b.getDouble(208);
    h.toffset = b.getDouble(216);
    h.sliceStart = b.getLong(224);
    h.sliceEnd = b.getLong(232);
    h.descrip = string(b, 240, 80);
    h.auxFile = string(b, 320, 24);
    h.qformCode = b.getInt(344);
    h.sformCode = b.getInt(348);
    h.quaternB = b.getDouble(352);
    h.quaternC = b.getDouble(360);
    h.quaternD = b.getDouble(368);
    h.qoffsetX = b.getDouble(376);
    h.qoffsetY = b.getDouble(384);
    h.qoffsetZ = b.getDouble(392);
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 4; c++) h.srow[r][c] = b.getDouble(400 + 32 * r + 8 * c);
    h.sliceCode = b.getInt(496);
    h.xyztUnits = b.getInt(500);
    h.intentCode = b.getInt(504);
    h.intentName = string(b, 508, 16);
    h.dimInfo = b.get(524);
  }

  private static NiftiType type(int code, int bitpix, String file) {
    NiftiType t;
    try {
      t = NiftiType.of(code);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(file + ": " + e.getMessage());
    }
    if (bitpix != t.bitpix) throw new IllegalArgumentException(file + ": bitpix " + bitpix + " disagrees with datatype " + t.nibabelName + " (" + t.bitpix + " bits)");
    return t;
  }

  private void validate(String file) {
    if (dim[0] < 1 || dim[0] > 7) throw new IllegalArgumentException(file + ": dim[0] = " + dim[0] + " (the number of dimensions must be 1 to 7)");
    for (int i = 1; i <= ndim(); i++)
      if (dim[i] < 0) throw new IllegalArgumentException(file + ": negative size dim[" + i + "] = " + dim[i]);
    if (voxOffset < headerSize()) throw new IllegalArgumentException(file + ": vox_offset " + voxOffset + " lies inside the " + headerSize() + "-byte header");
    if (voxels() * type.bytes() > Integer.MAX_VALUE - 64)
      throw new IllegalArgumentException(file + ": " + Arrays.toString(shape()) + " voxels of " + type.nibabelName + " exceed the 2 GiB a Java array holds");
  }

  /** The header, an empty extension flag and padding up to {@link #voxOffset}. */
  ByteBuffer encode() {
    ByteBuffer b = ByteBuffer.allocate((int) voxOffset).order(order);
    if (version == 1) encode1(b);
    else encode2(b);
    return b;
  }

  private void encode1(ByteBuffer b) {
    b.putInt(0, NIFTI1_SIZE);
    b.put(38, (byte) 'r');
    b.put(39, (byte) dimInfo);
    for (int i = 0; i < 8; i++) b.putShort(40 + 2 * i, (short) dim[i]);
    b.putFloat(56, (float) intentP1);
    b.putFloat(60, (float) intentP2);
    b.putFloat(64, (float) intentP3);
    b.putShort(68, (short) intentCode);
    b.putShort(70, (short) type.code);
    b.putShort(72, (short) type.bitpix);
    b.putShort(74, (short) sliceStart);
    for (int i = 0; i < 8; i++) b.putFloat(76 + 4 * i, (float) pixdim[i]);
    b.putFloat(108, voxOffset);
    b.putFloat(112, (float) sclSlope);
    b.putFloat(116, (float) sclInter);
    b.putShort(120, (short) sliceEnd);
    b.put(122, (byte) sliceCode);
    b.put(123, (byte) xyztUnits);
    b.putFloat(124, (float) calMax);
    b.putFloat(128, (float) calMin);
    b.putFloat(132, (float) sliceDuration);
    b.putFloat(136, (float) toffset);
    putString(b, 148, 80, descrip);
    putString(b, 228, 24, auxFile);
    b.putShort(252, (short) qformCode);
    b.putShort(254, (short) sformCode);
    b.putFloat(256, (float) quaternB);
    b.putFloat(260, (float) quaternC);
    b.putFloat(264, (float) quaternD);
    b.putFloat(268, (float) qoffsetX);
    b.putFloat(272, (float) qoffsetY);
    b.putFloat(276, (float) qoffsetZ);
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 4; c++) b.putFloat(280 + 16 * r + 4 * c, (float) srow[r][c]);
    putString(b, 328, 16, intentName);
    putString(b, 344, 4, "n+1");
  }

  private void encode2(ByteBuffer b) {
    b.putInt(0, NIFTI2_SIZE);
    b.put(4, NIFTI2_MAGIC);
    b.putShort(12, (short) type.code);
    b.putShort(14, (short) type.bitpix);
    for (int i = 0; i < 8; i++) b.putLong(16 + 8 * i, dim[i]);
    b.putDouble(80, intentP1);
    b.putDouble(88, intentP2);
    b.putDouble(96, intentP3);
    for (int i = 0; i < 8; i++) b.putDouble(104 + 8 * i, pixdim[i]);
    b.putLong(168, voxOffset);
    b.putDouble(176, sclSlope);
    b.putDouble(184, sclInter);
    b.putDouble(192, calMax);
    b.putDouble(200, calMin);
    b.putDouble(208, sliceDuration);
    b.putDouble(216, toffset);
    b.putLong(224, sliceStart);
    b.putLong(232, sliceEnd);
    putString(b, 240, 80, descrip);
    putString(b, 320, 24, auxFile);
    b.putInt(344, qformCode);
    b.putInt(348, sformCode);
    b.putDouble(352, quaternB);
    b.putDouble(360, quaternC);
    b.putDouble(368, quaternD);
    b.putDouble(376, qoffsetX);
    b.putDouble(384, qoffsetY);
    b.putDouble(392, qoffsetZ);
    for (int r = 0; r < 3; r++)
      for (int c = 0; c < 4; c++) b.putDouble(400 + 32 * r + 8 * c, srow[r][c]);
    b.putInt(496, sliceCode);
    b.putInt(500, xyztUnits);
    b.putInt(504, intentCode);
    putString(b, 508, 16, intentName);
    b.put(524, (byte) dimInfo);
  }

  /** A NUL-terminated string field. */
  private static String string(ByteBuffer b, int at, int length) {
    int end = 0;
    while (end < length && b.get(at + end) != 0) end++;
    byte[] bytes = new byte[end];
    b.get(at, bytes);
    return new String(bytes, StandardCharsets.ISO_8859_1);
  }

  private static String printable(ByteBuffer b, int at, int length) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < length; i++) {
      int c = b.get(at + i) & 0xff;
      s.append(c >= 32 && c < 127 ? String.valueOf((char) c) : String.format("\\x%02x", c));
    }
    return s.toString();
  }

  private static void putString(ByteBuffer b, int at, int length, String value) {
    byte[] bytes = value.getBytes(StandardCharsets.ISO_8859_1);
    b.put(at, bytes, 0, Math.min(bytes.length, length - 1));
  }
}
