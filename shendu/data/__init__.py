"""Data loading (``shendu.data``, also ``shendu.utils.data``): datasets, samplers, the
DataLoader, transforms, the bundled and downloadable data sets, and text utilities."""
