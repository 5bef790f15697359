/** Counters for `GET /metrics`, in Prometheus text format. */
export interface ReceiverMetrics {
  request(method: string): void;
  error(code: string): void;
  bytes(count: number): void;
  created(): void;
  finished(): void;
  terminated(): void;
  render(openConnections: number): string;
}

export function createReceiverMetrics(): ReceiverMetrics {
  const requests = new Map<string, number>();
  const errors = new Map<string, number>();
  let bytesReceived = 0;
  let created = 0;
  let finished = 0;
  let terminated = 0;
  const bump = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

  function counter(name: string, help: string, samples: [string, number][]): string {
    const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} counter`];
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
    return lines.join('\n');
  }

  return {
    request: (method) => bump(requests, method),
    error: (code) => bump(errors, code),
    bytes: (count) => (bytesReceived += count),
    created: () => (created += 1),
    finished: () => (finished += 1),
    terminated: () => (terminated += 1),
    render(openConnections) {
      return [
        counter(
          'ferry_requests_total',
          'HTTP requests by method.',
          [...requests].map(([method, n]) => [`{method="${method}"}`, n]),
        ),
        counter(
          'ferry_errors_total',
          'Error answers by code.',
          [...errors].map(([code, n]) => [`{code="${code}"}`, n]),
        ),
        counter('ferry_received_bytes_total', 'Bytes stored from uploads, tus and multipart.', [['', bytesReceived]]),
        counter(
          'ferry_uploads_created_total',
          'Uploads created (a multipart file counts when its first byte is stored).',
          [['', created]],
        ),
        counter('ferry_uploads_finished_total', 'Uploads completed (a multipart file counts once it landed).', [
          ['', finished],
        ]),
        counter('ferry_uploads_terminated_total', 'Uploads terminated by clients.', [['', terminated]]),
        '# HELP ferry_open_connections Open HTTP connections.\n# TYPE ferry_open_connections gauge',
        `ferry_open_connections ${openConnections}`,
        '',
      ].join('\n');
    },
  };
}
