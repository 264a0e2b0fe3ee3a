/** A temp dir removed when disposed: `await using dir = await tempDir();` */
export interface TempDir extends AsyncDisposable {
  path: string;
}

export async function tempDir(prefix = "rmq-test-"): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  return {
    path,
    async [Symbol.asyncDispose]() {
      await Deno.remove(path, { recursive: true }).catch((e) => {
        if (!(e instanceof Deno.errors.NotFound)) throw e;
      });
    },
  };
}
