/** The statuses of events and deliveries, as in the database enums (prisma/schema.prisma). */
export const eventStatuses = ['queued', 'delivering', 'delivered', 'failed', 'cancelled', 'unrouted'] as const;
export type EventStatus = (typeof eventStatuses)[number];

export const deliveryStatuses = ['queued', 'held', 'delivering', 'delivered', 'failed', 'cancelled'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
