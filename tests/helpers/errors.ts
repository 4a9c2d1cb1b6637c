// errorOf(fn): whatever fn threw (or undefined), for asserting on domain errors.
export function errorOf(fn: () => unknown): any {
  try {
    fn();
  } catch (e) {
    return e;
  }
  return undefined;
}
