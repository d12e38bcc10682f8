/**
 * Outside the Functions host, @azure/functions runs in "test mode" and warns on every `app.*` registration.
 * The local host runs the registry's own copy of each definition, so those warnings say nothing useful
 * there; this hides exactly them while the function modules load, and nothing else.
 */
const TEST_MODE_WARNINGS = [
  'WARNING: Failed to detect the Azure Functions runtime.',
  'WARNING: Skipping call to register function',
];

export function withoutTestModeWarnings<T>(load: () => T): T {
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    const first = args[0];
    if (typeof first === 'string' && TEST_MODE_WARNINGS.some((w) => first.startsWith(w))) return;
    warn(...args);
  };
  try {
    return load();
  } finally {
    console.warn = warn;
  }
}
