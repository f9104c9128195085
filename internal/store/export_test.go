package store

// NameKeyForTest is nameKey, for tests comparing it with what SQL stored.
const NameKeyForTest = nameKey
