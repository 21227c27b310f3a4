import type { RequestHandler } from 'express';
import type { EngineHolder } from './engine-holder';
import { integer } from './params';

/** The document id of /api/docs/*id (ids contain slashes), split into its path segments. */
function idSegments(params: unknown): string[] {
  const parts = (params as { id?: string[] | string }).id;
  return Array.isArray(parts) ? parts : [String(parts ?? '')];
}

function notFound(id: string): { error: string } {
  return { error: `no document with id ${JSON.stringify(id.slice(0, 200))}` };
}

/** GET /api/docs/:id/related?limit=N: related articles of one post; other ids pass on to {@link docRoute}. */
export function relatedRoute(engines: EngineHolder): RequestHandler {
  return (req, res, next) => {
    const segments = idSegments(req.params);
    if (segments.length < 2 || segments[segments.length - 1] !== 'related') return next();
    const id = segments.slice(0, -1).join('/');
    const limit = integer(req, 'limit', 5, 1, 20);
    const related = id.length <= 1024 ? engines.current().related(id, limit) : null;
    if (!related) {
      res.status(404).json(notFound(id));
      return;
    }
    res.json({ id, terms: related.terms, related: related.articles });
  };
}

/** GET /api/docs/:id: one stored post. */
export function docRoute(engines: EngineHolder): RequestHandler {
  return (req, res) => {
    const id = idSegments(req.params).join('/');
    const post = id.length <= 1024 ? engines.current().get(id) : null;
    if (!post) {
      res.status(404).json(notFound(id));
      return;
    }
    res.json(post);
  };
}
