/// <reference types="@webgpu/types" />
/** Dawn's `GPU` object from the optional `webgpu` package: at most once per process (Dawn does not survive a second). */
export async function createDawn(): Promise<GPU> {
  try {
    const { create } = (await import('webgpu')) as { create(flags: string[]): GPU };
    return create([]);
  } catch (e) {
    if ((e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND')
      throw new Error('the optional package `webgpu` is not installed (npm install webgpu)');
    throw e;
  }
}
