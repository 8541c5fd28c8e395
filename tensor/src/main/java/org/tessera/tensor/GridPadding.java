package org.tessera.tensor;

/** grid_sample's padding modes: zeros outside, the nearest border value, or the image reflected at its border. */
public enum GridPadding { ZEROS, BORDER, REFLECTION }
