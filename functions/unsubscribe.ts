import middy from '@middy/core';
import { ConsentError, InvalidUnsubscribeTokenError } from '../lib/consent/errors.js';
import { PAGE_HEADERS, unsubscribePage } from '../lib/consent/unsubscribe-page.js';
import { type HttpEvent, type HttpResult, header, json, problemResponses } from '../lib/http/middleware.js';
import { pathParameter } from '../lib/http/path-parameters.js';
import { statusOf } from '../lib/http/problem.js';
import { container, logger } from '../lib/runtime/container.js';
import { messaging } from '../lib/runtime/messaging.js';

const page = (status: number, body: string): HttpResult => ({
  statusCode: status,
  headers: { ...PAGE_HEADERS },
  body,
});
const bodyOf = (e: HttpEvent) =>
  e.isBase64Encoded ? Buffer.from(e.body ?? '', 'base64').toString('utf8') : (e.body ?? '');

/**
 * GET shows the confirm page (link scanners prefetch GETs, so a GET never unsubscribes);
 * POST unsubscribes at once, whether from that page or as an RFC 8058 one-click request.
 * No key: the HMAC token is the authorization.
 */
export const handler = middy<HttpEvent, HttpResult>()
  .use(problemResponses(logger))
  .handler(async (event) => {
    const { config } = container();
    const { consent } = messaging();
    const token = pathParameter(event, 'token');
    const isGet = event.requestContext.http.method === 'GET';
    const wantsHtml = isGet || (header(event, 'accept') ?? '').includes('text/html');
    try {
      if (isGet) {
        const info = await consent.inspect(token);
        return page(
          200,
          unsubscribePage(info.unsubscribed ? 'done' : 'confirm', info.locale, config.shopName),
        );
      }
      const oneClick = /List-Unsubscribe=One-Click/i.test(bodyOf(event));
      await consent.unsubscribe(token, oneClick ? 'one-click' : 'page');
      if (!wantsHtml) return json(200, { status: 'unsubscribed' });
      const info = await consent.inspect(token);
      return page(200, unsubscribePage('done', info.locale, config.shopName));
    } catch (error) {
      if (!wantsHtml || !(error instanceof ConsentError)) throw error;
      const kind = error instanceof InvalidUnsubscribeTokenError ? 'invalid' : 'unknown';
      return page(statusOf(error), unsubscribePage(kind, 'en', config.shopName));
    }
  });
