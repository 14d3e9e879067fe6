export async function startMockBackend(): Promise<void> {}
