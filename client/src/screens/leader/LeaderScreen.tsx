// Leader screen (being built).
export function LeaderScreen() { return null; }
