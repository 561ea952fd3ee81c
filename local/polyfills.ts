// aws-local-stepfunctions uses Promise.withResolvers, which Node 22 has and Node 20 lacks
// (vendor/aws-local-stepfunctions/README.md: why that copy says it runs on Node 20.19).
if (typeof (Promise as { withResolvers?: unknown }).withResolvers !== 'function') {
  Object.assign(Promise, {
    withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
}

export {};
