import express from 'express';
import { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHttpServer } from '../src/server/http-server';

describe('createHttpServer', () => {
  test('Express never has to re-parent a request or response, and works on them as usual', async () => {
    const app = express();
    app.get('/probe', (req, res) => {
      res.json({ q: req.query.q, sameApp: req.app === app, appRequest: Object.getPrototypeOf(req) === app.request });
    });
    const server = createHttpServer(app);
    // Express calls Object.setPrototypeOf(req, app.request) on every request: count the
    // calls that actually change a request's or response's prototype (the slow case).
    const setPrototypeOf = Object.setPrototypeOf;
    let reparented = 0;
    const spy = jest.spyOn(Object, 'setPrototypeOf').mockImplementation((o: object, proto: object | null) => {
      if ((o instanceof IncomingMessage || o instanceof ServerResponse) && Object.getPrototypeOf(o) !== proto) reparented++;
      return setPrototypeOf(o, proto) as object;
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`http://127.0.0.1:${port}/probe?q=%E5%9B%BE%E4%B9%A6`);
        expect(res.status).toBe(200);
        expect(await res.json()).toEqual({ q: '图书', sameApp: true, appRequest: true });
      }
      expect(spy).toHaveBeenCalled();
      expect(reparented).toBe(0);
    } finally {
      spy.mockRestore();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
