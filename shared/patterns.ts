/**
 * The identifier patterns more than one side checks (the Lambda's decoders, the CDK settings, the
 * device config and the admin CLI): one definition each, so a value one side accepts the other
 * never refuses.
 */

/** An AWS region name: "us-east-1", "ap-southeast-2", "us-gov-west-1". */
export const REGION_PATTERN = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
/** A 12-digit AWS account id. */
export const ACCOUNT_PATTERN = /^\d{12}$/;
/** An EventBridge event id (a UUID in practice). */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9-]{1,128}$/;
/** One MQTT topic level the project may use as its prefix. */
export const TOPIC_PREFIX_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
/** An IoT thing name, which is also the device's MQTT client id (IoT's own rule). */
export const THING_NAME_PATTERN = /^[A-Za-z0-9:_-]{1,128}$/;
