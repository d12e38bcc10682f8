/**
 * Outside the Functions host, @azure/functions runs in "test mode" and warns on every `app.*` registration.
 * The local host runs the registry's own copy of each definition, so those warnings say nothing useful
 * there; these hide exactly them while the function modules load, and nothing else.
 */
const TEST_MODE_WARNINGS = [
  'WARNING: Failed to detect the Azure Functions runtime.',
  'WARNING: Skipping call to register function',
];

/** Hides the test-mode warnings until the returned function is called (for modules loaded by static imports). */
export function hideTestModeWarnings(): () => void {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === 'string' && TEST_MODE_WARNINGS.some((w) => first.startsWith(w))) return;
    warn(...args);
  };
  return () => {
    console.warn = warn;
  };
}

export function withoutTestModeWarnings<T>(load: () => T): T {
  const restore = hideTestModeWarnings();
  try {
    return load();
  } finally {
    restore();
  }
}
