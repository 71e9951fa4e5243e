import { AjvCompiler } from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifyServerOptions } from 'fastify';

type CompilersFactory = NonNullable<NonNullable<FastifyServerOptions['schemaController']>['compilersFactory']>;
type BuildValidator = NonNullable<CompilersFactory['buildValidator']>;
type BuildSerializer = NonNullable<CompilersFactory['buildSerializer']>;
type Validate = ((data: unknown, ...rest: unknown[]) => unknown) & { errors?: unknown };

export interface LazySchemaCompilers {
  /** For fastify's `schemaController.compilersFactory`. */
  compilersFactory: CompilersFactory;
  /** Compiles every schema not compiled yet (tests: a broken schema fails there, not on a first request); returns how many. */
  compileAll(): number;
}

/**
 * fastify's own schema compilers (ajv for input, fast-json-stringify for responses), each
 * schema compiled when its route first needs it instead of all of them before the server
 * listens. Compiling every route's schemas at start-up generated ~300 functions (their source
 * text, bytecode and the compilers' working memory), most for routes an idle or typical server
 * never calls (the console, the OpenID Provider's rarer endpoints, error responses): ~3-5 MB
 * of resident memory and part of start-up time (issue 17, target 4).
 *
 * Behaviour is unchanged: the same compilers, options and shared schemas, and `errors` is
 * passed on after each call, which is where fastify reads a validation's errors.
 */
export function lazySchemaCompilers(): LazySchemaCompilers {
  const buildValidator = AjvCompiler() as unknown as BuildValidator;
  const buildSerializer = SerializerSelector() as unknown as BuildSerializer;
  const pending = new Set<() => void>();
  return {
    compilersFactory: {
      buildValidator: ((externalSchemas, options) => {
        const compile = buildValidator(externalSchemas, options);
        return (route) => {
          let compiled: Validate | undefined;
          const ensure = (): Validate => {
            pending.delete(ensure);
            return (compiled ??= compile(route) as unknown as Validate);
          };
          pending.add(ensure);
          const validate: Validate = (data, ...rest) => {
            const run = compiled ?? ensure();
            const result = run(data, ...rest);
            validate.errors = run.errors;
            return result;
          };
          return validate;
        };
      }) as BuildValidator,
      buildSerializer: ((externalSchemas, options) => {
        const compile = buildSerializer(externalSchemas, options);
        return (route) => {
          let compiled: ((data: unknown) => string) | undefined;
          const ensure = (): ((data: unknown) => string) => {
            pending.delete(ensure);
            return (compiled ??= compile(route));
          };
          pending.add(ensure);
          return (data: unknown) => (compiled ?? ensure())(data);
        };
      }) as BuildSerializer,
    },
    compileAll() {
      const all = [...pending];
      for (const ensure of all) ensure();
      return all.length;
    },
  };
}
