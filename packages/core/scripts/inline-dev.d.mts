/** What `DEV` stands for, as `src/model/development.ts` defines it. */
export declare const DEV_EXPRESSION: string;

/** The esbuild plugin that writes `DEV`'s expression at each of its uses in `src/`. */
export declare function inlineDev(): {
  name: string;
  setup(build: unknown): void;
};
