// The part of autocannon's programmatic API the bench uses (it ships no types).
declare module 'autocannon' {
  interface Result {
    readonly duration: number;
    readonly errors: number;
    readonly non2xx: number;
    readonly '2xx': number;
    readonly requests: { readonly total: number; readonly average: number };
  }
  function autocannon(options: {
    url: string;
    connections?: number;
    duration?: number;
    amount?: number;
  }): Promise<Result>;
  export default autocannon;
}
