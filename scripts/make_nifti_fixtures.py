#!/usr/bin/python3
"""Writes small NIfTI files with nibabel, and what nibabel reads from them, for Tessera's NIfTI reader tests.

    apt-get install -y python3-nibabel && /usr/bin/python3 scripts/make_nifti_fixtures.py fixtures/nifti

Each file is listed in expected.json with nibabel's shape, datatype name, zooms, affine (img.affine), the stored
values (dataobj.get_unscaled()) and the scaled values (get_fdata()), both flattened in Fortran order: x fastest,
the order of the file and of Tessera's (z, y, x) tensors.
"""
import json
import os
import sys

import nibabel as nib
import numpy as np


def rotation(ax, ay, az):
    cx, sx, cy, sy, cz, sz = np.cos(ax), np.sin(ax), np.cos(ay), np.sin(ay), np.cos(az), np.sin(az)
    rx = np.array([[1, 0, 0], [0, cx, -sx], [0, sx, cx]])
    ry = np.array([[cy, 0, sy], [0, 1, 0], [-sy, 0, cy]])
    rz = np.array([[cz, -sz, 0], [sz, cz, 0], [0, 0, 1]])
    return rz @ ry @ rx


def affine(rot, zooms, offset, flip_z=False):
    a = np.eye(4)
    z = np.array(zooms, dtype=float)
    if flip_z:
        z[2] = -z[2]
    a[:3, :3] = rot @ np.diag(z)
    a[:3, 3] = offset
    return a


def main(out):
    os.makedirs(out, exist_ok=True)
    rng = np.random.RandomState(7)
    expected = {}

    def save(name, img):
        path = os.path.join(out, name)
        nib.save(img, path)
        back = nib.load(path)
        hdr = back.header
        expected[name] = {
            "shape": [int(s) for s in back.shape],
            "dtype": hdr.get_data_dtype().name,
            "zooms": [float(z) for z in hdr.get_zooms()],
            "affine": back.affine.tolist(),
            "sform_code": int(hdr["sform_code"]),
            "qform_code": int(hdr["qform_code"]),
            "raw": np.asarray(back.dataobj.get_unscaled()).flatten(order="F").astype(float).tolist(),
            "scaled": back.get_fdata().flatten(order="F").tolist(),
        }

    oblique = affine(rotation(0.3, -0.2, 0.7), (0.8, 0.8, 2.5), (-100.5, 20.25, 33.0))

    # a CT-like int16 volume with scaling, both transforms (nibabel's default for a new image)
    data = rng.randint(-1024, 2000, size=(5, 4, 3)).astype(np.int16)
    img = nib.Nifti1Image(data, oblique)
    img.header.set_slope_inter(0.5, -10.0)
    save("int16_scaled.nii.gz", img)

    # qform only, with a mirrored z axis (qfac -1)
    img = nib.Nifti1Image(rng.randint(0, 255, size=(4, 3, 2)).astype(np.uint8), None)
    img.header.set_qform(affine(rotation(-0.5, 0.1, 0.2), (1.5, 1.25, 3.0), (1, 2, 3), flip_z=True), code=1)
    img.header.set_sform(None, code=0)
    save("uint8_qform_only.nii", img)

    # no transform at all: nibabel's base affine
    img = nib.Nifti1Image(rng.rand(3, 4, 5).astype(np.float32), None)
    img.header.set_zooms((2.0, 3.0, 4.0))
    img.header.set_qform(None, code=0)
    img.header.set_sform(None, code=0)
    save("float32_no_transform.nii", img)

    # big-endian float32
    be = rng.randn(4, 4, 2).astype(">f4")
    img = nib.Nifti1Image(be, np.diag([0.7, 0.7, 1.2, 1.0]), header=nib.Nifti1Header(endianness=">"))
    save("float32_big_endian.nii", img)

    # NIfTI-2, float64, gzipped
    img = nib.Nifti2Image(rng.randn(3, 2, 4), oblique)
    save("float64_nifti2.nii.gz", img)

    # 4-D int32 and 2-D slices
    save("int32_4d.nii.gz", nib.Nifti1Image(rng.randint(-100000, 100000, size=(3, 2, 2, 2)).astype(np.int32), np.eye(4)))
    save("uint8_2d.nii.gz", nib.Nifti1Image(rng.randint(0, 4, size=(6, 5)).astype(np.uint8), np.diag([0.5, 0.25, 1, 1])))

    # the other integer types nnU-Net meets
    for dtype, low, high in [("int8", -128, 127), ("uint16", 0, 65535), ("uint32", 0, 2**32 - 1), ("int64", -(2**40), 2**40)]:
        values = rng.randint(low, high, size=(3, 3, 2), dtype=np.int64).astype(dtype)
        values.flat[0] = low
        values.flat[-1] = high
        save(f"{dtype}.nii", nib.Nifti1Image(values, np.eye(4), dtype=dtype))

    with open(os.path.join(out, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1)
    print(f"wrote {len(expected)} NIfTI fixtures to {out}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "fixtures/nifti")
