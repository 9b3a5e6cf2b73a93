/**
 * A CloudFront distribution in front of a live HLS origin (Wowza, nginx-rtmp, MediaPackage...), with
 * the cache behaviour live HLS needs:
 *
 * - Playlists (`*.m3u8`) change every segment: cached `PLAYLIST_TTL` (1 s) by default and never
 *   longer than `PLAYLIST_MAX_TTL`, so a viewer is at most about one segment behind the origin. A
 *   live playlist cached for a target duration or longer would make players stall.
 * - Segments (everything else: `.ts`, `.m4s`, `.aac`, keys) never change once written: cached a day by
 *   default, up to a year if the origin says so.
 * - Errors are cached `ERROR_TTL` (1 s), not CloudFront's 10 s default: a segment asked for a
 *   moment too early (404) or an origin restart (502/503/504) must not stick for ten seconds.
 * - The query string is part of every cache key: Wowza's per-session chunklists
 *   (`chunklist_w123.m3u8?wowzasessionid=…`) must not be served to another session.
 * - Viewers over HTTPS (HTTP redirects), GET/HEAD/OPTIONS only, no compression (video does not
 *   compress; playlists are tiny), price class 100 (North America and Europe edges: the cheapest).
 *
 * Even so CloudFront keeps answering 200 with the last playlist it holds when the origin dies (stale
 * serving on origin errors), which is why the HLS checker judges the media sequence, not the status.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import { Construct } from 'constructs';

export const PLAYLIST_TTL = Duration.seconds(1);
export const PLAYLIST_MAX_TTL = Duration.seconds(2);
export const SEGMENT_TTL = Duration.days(1);
export const SEGMENT_MAX_TTL = Duration.days(365);
export const ERROR_TTL = Duration.seconds(1);
/** The error codes whose caching is cut to ERROR_TTL. */
export const SHORT_CACHED_ERRORS = [400, 403, 404, 500, 502, 503, 504] as const;

export interface HlsDistributionProps {
  /** The origin, `https://host[:port][/path]` or `http://…`; its path becomes the origin path. */
  readonly origin: string;
  /** For the distribution's comment: the check's name. */
  readonly name: string;
}

export class HlsDistribution extends Construct {
  readonly distribution: cloudfront.Distribution;

  constructor(scope: Construct, id: string, props: HlsDistributionProps) {
    super(scope, id);
    const url = new URL(props.origin);
    const https = url.protocol === 'https:';
    const port = url.port === '' ? undefined : Number(url.port);
    const path = url.pathname.replace(/\/+$/, '');
    const origin = new origins.HttpOrigin(url.hostname, {
      protocolPolicy: https
        ? cloudfront.OriginProtocolPolicy.HTTPS_ONLY
        : cloudfront.OriginProtocolPolicy.HTTP_ONLY,
      originSslProtocols: [cloudfront.OriginSslPolicy.TLS_V1_2],
      ...(port === undefined ? {} : https ? { httpsPort: port } : { httpPort: port }),
      ...(path === '' ? {} : { originPath: path }),
    });
    const policy = (name: string, defaultTtl: Duration, maxTtl: Duration, comment: string) =>
      new cloudfront.CachePolicy(this, name, {
        comment,
        defaultTtl,
        maxTtl,
        minTtl: Duration.seconds(0),
        queryStringBehavior: cloudfront.CacheQueryStringBehavior.all(),
        headerBehavior: cloudfront.CacheHeaderBehavior.none(),
        cookieBehavior: cloudfront.CacheCookieBehavior.none(),
        enableAcceptEncodingGzip: false,
        enableAcceptEncodingBrotli: false,
      });
    const behavior = (cachePolicy: cloudfront.ICachePolicy): cloudfront.BehaviorOptions => ({
      origin,
      cachePolicy,
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD_OPTIONS,
      compress: false,
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `ec2led: live HLS ${props.name} from ${url.host}`,
      defaultBehavior: behavior(
        policy('Segments', SEGMENT_TTL, SEGMENT_MAX_TTL, 'ec2led: HLS segments, immutable once written'),
      ),
      additionalBehaviors: {
        '*.m3u8': behavior(
          policy('Playlists', PLAYLIST_TTL, PLAYLIST_MAX_TTL, 'ec2led: live HLS playlists, about a second'),
        ),
      },
      errorResponses: SHORT_CACHED_ERRORS.map((httpStatus) => ({ httpStatus, ttl: ERROR_TTL })),
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
    });
    const acknowledge = (id: string, reason: string) =>
      Validations.of(this.distribution).acknowledge({ id, reason });
    acknowledge(
      'AwsSolutions-CFR1',
      'A public live stream for whoever has the URL: no geographic restriction is wanted; add one in the console if your rights require it.',
    );
    acknowledge(
      'AwsSolutions-CFR2',
      'No WAF web ACL: one costs $5 a month plus $1 per rule, more than everything else here; a public read-only stream has no form to protect.',
    );
    acknowledge(
      'AwsSolutions-CFR3',
      'No access logs: a viewer request log of a live stream is a large S3 bill for a desk light; the HLS checker and the 5xxErrorRate alarm say whether the stream is healthy.',
    );
    acknowledge(
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate, whose security policy CloudFront fixes at TLSv1; put your own domain and ACM certificate on it for TLSv1.2_2021.',
    );
  }
}
