import { InitialSchema1795424725919 } from './1795424725919-InitialSchema';

/** Every migration, in order. New migrations are appended here (the generator prints the line to add). */
export const migrations: (new () => object)[] = [InitialSchema1795424725919];
