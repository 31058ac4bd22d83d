// The schema language of every package and service (`@goblog/schema`): typebox's builder, compiler,
// value functions and settings. Built, this entry is one bundled module (bundle-typebox.mjs) instead of the
// many files typebox ships: a service's idle memory and startup pay per module loaded. Importing typebox
// itself alongside it loads those files again, as a second copy.
export * from 'typebox';
export { Compile, Validator } from 'typebox/compile';
export { Value } from 'typebox/value';
export { Settings } from 'typebox/system';
