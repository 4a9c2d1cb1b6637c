// Case search (being built).
export function SearchScreen() { return null; }
